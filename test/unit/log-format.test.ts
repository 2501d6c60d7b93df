import t from 'tap';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../server/core/logger.js';
import { demoLogFormat, prettyLogStream } from '../../ops/scripts/lib/log-format.js';

t.test('the demo prints readable logs in a terminal and JSON when piped, unless told', async (t) => {
  t.equal(demoLogFormat({}, true), 'pretty');
  t.equal(demoLogFormat({}, false), 'json');
  t.equal(demoLogFormat({ HIREBOX_LOG_FORMAT: 'json' }, true), 'json');
  t.equal(demoLogFormat({ HIREBOX_LOG_FORMAT: 'pretty' }, false), 'pretty');
  t.equal(demoLogFormat({ HIREBOX_LOG_FORMAT: 'fancy' }, false), 'json', 'an unknown value falls back to the default');
});

t.test('a JSON log line of the app becomes one readable line, still scrubbed', async (t) => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const pretty = await prettyLogStream(out, false);
  const json = new PassThrough();
  let line = '';
  json.on('data', (d: Buffer) => (line += d.toString()));
  createLogger('info', { process: 'app' }, json).info({ reqId: 'r-1' }, 'application received from jane@doe.example');
  pretty.write(line);
  await new Promise((r) => setTimeout(r, 50));
  t.match(line, /^\{"level":30,/, 'the app logs JSON');
  t.match(text, /^\[\d{2}:\d{2}:\d{2}\] INFO: application received from \[email\] \{"process":"app","reqId":"r-1"\}\n$/, 'one readable line with the time, level and fields');
  t.notMatch(text, /"level"|"service"|jane@doe/, 'no raw JSON keys, no PII');
});

import { randomBytes } from 'node:crypto';
import t from 'tap';
import { createDeviceCookies } from '../../server/modules/auth/devices.js';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);

t.test('a device cookie names a random device and is bound to one account', async (t) => {
  const devices = createDeviceCookies(newKey);
  const a = devices.issue('jane@example.test');
  const b = devices.issue('jane@example.test');
  t.not(a, b, 'a new device id per issue');
  const id = devices.recognise(a, 'jane@example.test');
  t.match(id, /^[A-Za-z0-9_-]{22}$/);
  t.equal(a.split('.')[1], id, 'the id is the one in the cookie');
  t.equal(devices.recognise(a, 'john@example.test'), null, 'another account: not recognised');
  t.notMatch(a, /jane|example/, 'no email in the cookie');
});

t.test('forged, truncated or malformed cookies are strangers', async (t) => {
  const devices = createDeviceCookies(newKey);
  const good = devices.issue('jane@example.test');
  const [version, id, tag] = good.split('.') as [string, string, string];
  const otherId = randomBytes(16).toString('base64url');
  for (const bad of [undefined, '', 'x', `${version}.${id}`, `${version}.${otherId}.${tag}`, `d0.${id}.${tag}`, `${good}.extra`, `${version}.${id}.${tag.slice(1)}`, `${version}.${id}!.${tag}`, 'a'.repeat(4096)]) {
    t.equal(devices.recognise(bad, 'jane@example.test'), null, `refused: ${String(bad).slice(0, 40)}`);
  }
  t.equal(createDeviceCookies(randomBytes(32)).recognise(good, 'jane@example.test'), null, 'another installation (another master key): not recognised');
});

t.test('after a master key rotation the previous key still recognises, new cookies use the new key', async (t) => {
  const before = createDeviceCookies(oldKey).issue('jane@example.test');
  const rotated = createDeviceCookies(newKey, [oldKey]);
  t.ok(rotated.recognise(before, 'jane@example.test'), 'issued before the rotation');
  const after = rotated.issue('jane@example.test');
  t.equal(createDeviceCookies(oldKey).recognise(after, 'jane@example.test'), null, 'issued after: the old key alone does not verify it');
  t.ok(createDeviceCookies(newKey).recognise(after, 'jane@example.test'));
});

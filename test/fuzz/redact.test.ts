// Issue 19 item 2: the redactor (what the screening model sees) and the log scrubber, fuzzed.
//   - planted emails, phone numbers and the candidate's name, dropped into random text
//     (letters of many scripts, punctuation, bidi controls, layout noise), never survive;
//   - hostile run shapes (a CV that is one 200,000-character run of "ÄA", "a.", "1-", …,
//     and generated ones) are redacted in bounded time: before the fix several took minutes
//     of CPU in the screening worker (quadratic rescans); the ceiling is generous (a hang
//     guard, not a speed target).
import t from 'tap';
import fc from 'fast-check';
import { scrubText } from '../../server/core/logger.js';
import { MAX_TEXT_CHARS } from '../../server/modules/documents/extract.js';
import { redact } from '../../server/modules/screening/redact.js';
import { fuzzRuns, fuzzSeed } from './arbitraries.js';

const RUNS = fuzzRuns(150);
const SEED = fuzzSeed();
const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const FIRST = ['Ada', 'Grace', 'Oluwaseun', 'Siobhán', 'Zoë', 'José', 'Mei', 'Aarav', 'Fatima', 'Björn', 'Nguyễn', 'Kwame'];
const LAST = ['Lovelace', 'Hopper', 'Adeyemi', 'Ní Bhriain', 'Okafor', 'García', 'Lindqvist', 'Haddad', 'Kowalski', 'Tanaka'];
const filler = fc.array(
  fc.oneof(
    fc.constantFrom('TypeScript', 'Postgres', 'engineer', '2019 – 2024', 'Berlin', 'led', 'the', 'team', '|', '•', '·', ',', ';', '(', ')', '\n', '\n\n', '\t', '\u202E', '\u2066', '—', 'ΑΒΓ', 'Лев', '日本語', 'مهندس'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }).map((s) => s.replace(/[@+\d]/g, 'x')),
  ),
  { maxLength: 30 },
).map((parts) => parts.join(' '));

const local = fc.stringMatching(/^[a-z][a-z0-9._-]{0,14}[a-z0-9]$/).filter((s) => !/\.\.|[._-]{2}/.test(s));
const domain = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]\.(com|de|org|io|co\.uk|example)$/);
const email = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
// Phone numbers as people write them: international, national with area code, grouped.
const phone = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 20, max: 999 }), fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1000, max: 9999 })).map(([c, a, b, d]) => `+${c} ${a} ${b} ${d}`),
  fc.tuple(fc.integer({ min: 10, max: 999 }), fc.integer({ min: 100, max: 999 }), fc.integer({ min: 1000, max: 9999 })).map(([a, b, c]) => `(0${a}) ${b}-${c}`),
  fc.tuple(fc.integer({ min: 100, max: 999 }), fc.integer({ min: 100, max: 999 }), fc.integer({ min: 1000, max: 9999 })).map(([a, b, c]) => `${a}.${b}.${c}`),
);
const person = fc.record({ first: fc.constantFrom(...FIRST), last: fc.constantFrom(...LAST), email, phone });

t.test(`planted identifiers never survive redaction (${RUNS} generated CVs, seed ${SEED})`, async (t) => {
  let cases = 0;
  await fc.assert(
    fc.property(person, filler, filler, filler, fc.constantFrom('Email: ', 'E-mail ', '', '✉ ', 'mail: <'), fc.constantFrom('Phone: ', 'Tel. ', '', 'Mobile: ', '☎ '), (p, a, b, c, emailLabel, phoneLabel) => {
      cases += 1;
      const name = `${p.first} ${p.last}`;
      const text = `${name}\n${a}\n${emailLabel}${p.email} | ${phoneLabel}${p.phone}\n${b}\n${p.first} wrote this; contact ${p.email}.\n${c}`;
      const r = redact(text, { name, email: p.email, phone: p.phone });
      const out = fold(r.text);
      if (out.includes(p.email.toLowerCase())) throw new Error(`email survived: ${p.email}`);
      const digits = p.phone.replace(/\D/g, '');
      if (r.text.split('\n').some((line) => line.replace(/\D/g, '').includes(digits.slice(-7)))) throw new Error(`phone digits survived: ${p.phone}\n${r.text}`);
      for (const token of [p.first, ...p.last.split(' ')].filter((x) => x.length > 2)) {
        const escaped = fold(token).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        // eslint-disable-next-line security/detect-non-literal-regexp -- escaped fixture value
        if (new RegExp(`(?<![\\p{L}])${escaped}(?![\\p{L}])`, 'u').test(out)) throw new Error(`name part survived: ${token}\n${r.text}`);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
  t.comment(`redactor: ${cases} generated CVs`);
  t.equal(cases, RUNS);
});

t.test(`planted emails and phone numbers never survive the log scrubber (${RUNS} lines)`, async (t) => {
  let cases = 0;
  await fc.assert(
    fc.property(email, phone, fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (e, ph, a, b) => {
      cases += 1;
      const line = `${a} ${e} ${b} ${ph} ${a}`;
      const out = scrubText(line);
      if (out.includes(e)) throw new Error(`email survived: ${JSON.stringify(line)}`);
      if (out.includes(ph)) throw new Error(`phone survived: ${JSON.stringify(line)}`);
    }),
    { numRuns: RUNS, seed: SEED },
  );
  t.comment(`log scrubber: ${cases} generated lines`);
  t.equal(cases, RUNS);
});

/** Run shapes that made a pattern rescan from every position (each found by this fuzzer). */
const KNOWN_HOSTILE = ['ÄA', 'a.', '1-', 'Äbstraße', 'Ab\n', 'Ab Cd\n', '%CE'];
const CEILING_MS = 20_000; // the quadratic shapes took 2-5 minutes at this size; linear ones well under a second

t.test(`hostile runs the size of a whole CV are redacted in bounded time`, async (t) => {
  const runs = Math.max(4, Math.round(RUNS / 15));
  const generated = fc.sample(fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom('a', 'Ä', 'A', '1', '.', '-', '@', ' ', '\n', '/', '(', '+', 'é', '_', ':', ',') }), { numRuns: runs, seed: SEED });
  let slowest = { unit: '', ms: 0 };
  for (const unit of [...KNOWN_HOSTILE, ...generated]) {
    const text = unit.repeat(Math.ceil(MAX_TEXT_CHARS / unit.length)).slice(0, MAX_TEXT_CHARS);
    const started = performance.now();
    redact(text, { name: 'Ada Lovelace', email: 'ada@example.test', phone: '+44 20 7946 0958' });
    scrubText(text.slice(0, 16_384)); // a request line is at most Node's 16 KB header limit
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { unit, ms };
    t.ok(ms < CEILING_MS, `${JSON.stringify(unit)} × ${MAX_TEXT_CHARS / unit.length | 0}: redacted`);
  }
  t.comment(`hostile runs: ${KNOWN_HOSTILE.length + generated.length} shapes of ${MAX_TEXT_CHARS} characters; slowest ${JSON.stringify(slowest.unit)} ${Math.round(slowest.ms)} ms`);
});

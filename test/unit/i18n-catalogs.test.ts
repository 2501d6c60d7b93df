// The shipped catalogs (issue 22 item 1): CI fails on a missing or extra key, a message that
// is not valid ICU MessageFormat, a translation whose arguments differ from English, and a
// string left in English. (A key used in code but missing from the catalogs fails tsc.)
import t from 'tap';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CATALOGS } from '../../server/core/i18n/catalogs/index.js';
import { LOCALES, type Locale } from '../../server/core/i18n/locales.js';
import { SAME_AS_ENGLISH } from '../../server/core/i18n/same-as-english.js';
import { translator } from '../../server/core/i18n/translator.js';
import type { MessageKey } from '../../server/core/i18n/catalog-shape.js';

function argumentsOf(elements: MessageFormatElement[], into = new Map<string, number>()): Map<string, number> {
  for (const e of elements) {
    if (e.type === TYPE.literal || e.type === TYPE.pound) continue;
    if (e.type === TYPE.tag) {
      argumentsOf(e.children, into);
      continue;
    }
    into.set(e.value, e.type);
    if (e.type === TYPE.plural || e.type === TYPE.select) for (const o of Object.values(e.options)) argumentsOf(o.value, into);
  }
  return into;
}

function entries(locale: Locale): [MessageKey, string][] {
  return Object.entries(CATALOGS[locale]).flatMap(([ns, messages]) => Object.entries(messages as Record<string, string>).map(([k, v]) => [`${ns}.${k}` as MessageKey, v] as [MessageKey, string]));
}

const english = new Map(entries('en'));
// Whole English function words that no sentence in the other shipped languages contains.
const ENGLISH_WORDS = /\b(the|your|you|and|with|please|this|will|have|been|from|which)\b/i;

t.test('every locale has exactly the English keys', async (t) => {
  for (const locale of LOCALES) {
    const keys = entries(locale).map(([k]) => k).sort();
    t.same(keys, [...english.keys()].sort(), `${locale}: same keys as en`);
  }
});

t.test('every message is valid ICU with the same arguments (and types) as English', async (t) => {
  for (const locale of LOCALES) {
    for (const [key, text] of entries(locale)) {
      let ast: MessageFormatElement[];
      try {
        ast = parse(text, { ignoreTag: true });
      } catch (err) {
        t.fail(`${locale} ${key} does not parse: ${(err as Error).message}`);
        continue;
      }
      const expected = argumentsOf(parse(english.get(key) as string, { ignoreTag: true }));
      t.same(Object.fromEntries(argumentsOf(ast)), Object.fromEntries(expected), `${locale} ${key}: arguments`);
    }
  }
});

t.test('nothing is left in English in a shipped locale', async (t) => {
  for (const locale of LOCALES) {
    if (locale === 'en') continue;
    const allowed = SAME_AS_ENGLISH[locale];
    for (const [key, text] of entries(locale)) {
      if (allowed[key]) continue;
      if (text === english.get(key)) t.fail(`${locale} ${key} is the English text`);
      // Placeholders and plural keywords are ICU syntax, not words.
      const words = text.replace(/\{[^{}]*\}/g, ' ').replace(/\b(one|other|plural|select)\b/g, ' ');
      if (ENGLISH_WORDS.test(words)) t.fail(`${locale} ${key} contains English words: ${text}`);
    }
    for (const key of Object.keys(allowed)) t.ok(english.has(key as MessageKey), `${locale}: allowed key ${key} exists`);
  }
  t.pass('checked');
});

t.test('plurals follow each locale, dates and times are in the candidate zone', async (t) => {
  t.equal(translator('de').t('problem.tooManyRequests', { minutes: 1 }), 'Zu viele Versuche. Bitte warten Sie 1 Minute und versuchen Sie es dann erneut.');
  t.match(translator('de').t('problem.tooManyRequests', { minutes: 5 }), /5 Minuten/);
  t.match(translator('fr').t('problem.tooManyRequests', { minutes: 0 }), /0 minute /, 'French: 0 takes the singular');
  t.match(translator('nl').t('problem.tooManyRequests', { minutes: 0 }), /0 minuten/, 'Dutch: 0 takes the plural');
  const at = new Date('2026-12-07T09:00:00Z');
  t.match(translator('de', 'Europe/Berlin').dateTime(at), /Montag, 7\. Dezember 2026.*10:00/);
  t.match(translator('en', 'America/New_York').dateTime(at), /Monday, December 7, 2026.*4:00/);
  t.equal(translator('de', 'Not/AZone').timeZone, 'UTC', 'an unknown zone falls back to UTC');
  t.equal(translator('es', 'Europe/Madrid').t('common.timeZoneNote', { timeZone: 'Europe/Madrid' }), 'Las horas se muestran en la zona horaria Europe/Madrid.');
});

// Formats catalog messages (ICU MessageFormat, via intl-messageformat) for one locale and
// one time zone: plurals by the locale's rules, dates and times in the candidate's zone.
// Compiled messages are cached per locale, zone and key; zones are validated, so the
// cache is bounded by the catalogs' size times the zones in use.
import { IntlMessageFormat } from 'intl-messageformat';
import { CATALOGS } from './catalogs/index.js';
import type { MessageKey } from './catalog-shape.js';
import { DEFAULT_LOCALE, validTimeZone, type Locale } from './locales.js';

export type MessageValues = Record<string, string | number | Date>;

export interface Translator {
  readonly locale: Locale;
  readonly timeZone: string;
  /** The message as plain text (escape it before putting it into HTML). */
  t(key: MessageKey, values?: MessageValues): string;
  /** "Monday, 7 December 2026, 10:00 CET" in the locale and zone. */
  dateTime(d: Date): string;
  /** "7 December 2026". */
  date(d: Date): string;
  number(n: number, options?: Intl.NumberFormatOptions): string;
}

const cache = new Map<string, IntlMessageFormat>();
const translators = new Map<string, Translator>();

/** The raw message text of a key in a locale (tests and the catalog check read it). */
export function messageText(locale: Locale, key: MessageKey): string {
  const [ns, name] = key.split('.') as [keyof typeof CATALOGS.en, string];
  const text = (CATALOGS[locale][ns] as Record<string, string>)[name];
  if (text === undefined) throw new Error(`missing message ${key} in ${locale}`);
  return text;
}

function formats(timeZone: string) {
  return {
    date: {
      short: { year: 'numeric', month: 'numeric', day: 'numeric', timeZone },
      medium: { year: 'numeric', month: 'short', day: 'numeric', timeZone },
      long: { year: 'numeric', month: 'long', day: 'numeric', timeZone },
      full: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone },
    },
    time: {
      short: { hour: 'numeric', minute: 'numeric', timeZone, timeZoneName: 'short' },
      medium: { hour: 'numeric', minute: 'numeric', timeZone },
    },
  } as const;
}

export function translator(locale: Locale = DEFAULT_LOCALE, timeZone?: string | null): Translator {
  const zone = validTimeZone(timeZone) ?? 'UTC';
  const id = `${locale}|${zone}`;
  const existing = translators.get(id);
  if (existing) return existing;
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: zone });
  const created: Translator = {
    locale,
    timeZone: zone,
    t(key, values) {
      const cacheKey = `${id}|${key}`;
      let compiled = cache.get(cacheKey);
      if (!compiled) {
        compiled = new IntlMessageFormat(messageText(locale, key), locale, formats(zone), { ignoreTag: true });
        cache.set(cacheKey, compiled);
      }
      return String(compiled.format(values));
    },
    dateTime: (d) => dateTimeFormat.format(d),
    date: (d) => dateFormat.format(d),
    number: (n, options) => new Intl.NumberFormat(locale, options).format(n),
  };
  translators.set(id, created);
  return created;
}

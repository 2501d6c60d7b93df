// The languages a candidate can read hirebox in (issue 22 item 1), and how a request picks
// one. Recruiter-facing pages stay English; everything a candidate sees is localised.

export const LOCALES = ['en', 'de', 'fr', 'es', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** Each language named in itself, for the language switcher (never translated). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español', nl: 'Nederlands' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** 'de-AT' -> 'de'; null when the base language is not shipped. */
export function baseLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const base = tag.trim().toLowerCase().split(/[-_]/)[0];
  return isLocale(base) ? base : null;
}

/**
 * The best shipped locale for an Accept-Language header (RFC 9110 §12.5.4): language
 * ranges by weight, ties in header order, q=0 excluded; null when none matches.
 */
export function fromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranges = header
    .slice(0, 512)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag, weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.weight > 0 && r.tag)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const r of ranges) {
    const locale = baseLocale(r.tag);
    if (locale) return locale;
  }
  return null;
}

export interface LocaleSources {
  /** An explicit choice in this request (`?lang=de`). */
  query?: unknown;
  /** The choice remembered from an earlier request (the language cookie). */
  cookie?: unknown;
  /** What the content itself is in: the job's language, or the locale stored on the application. */
  content?: string | null;
  acceptLanguage?: string | undefined;
}

/** The candidate's explicit choice wins, then the content's language, then the browser's. */
export function pickLocale(s: LocaleSources): Locale {
  if (isLocale(s.query)) return s.query;
  if (isLocale(s.cookie)) return s.cookie;
  return baseLocale(s.content) ?? fromAcceptLanguage(s.acceptLanguage) ?? DEFAULT_LOCALE;
}

let zones: Set<string> | null = null;

/** An IANA time zone this runtime knows ('UTC' included), or null. */
export function validTimeZone(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  zones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return zones.has(value) ? value : null;
}

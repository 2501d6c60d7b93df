// Views of a CV for the injection detector. An instruction can be hidden from a pattern in
// many ways that a model still reads through: compatibility forms (fullwidth, mathematical
// letters), look-alike letters from other scripts, invisible and tag characters, digits for
// letters, and common encodings. Each view undoes one family; the detector runs on all of
// them. Every view keeps the line structure of the original (one output line per input
// line), so a finding can be traced to the line the model will see. The model itself still
// gets the original text between its delimiters: views are for detection only.
//
// Look-alikes are mapped with the Unicode TR39 confusables data (unhomoglyph, maintained by
// the markdown-it authors, data from confusables.txt), but only for characters outside the
// Latin script and ASCII: accented Latin letters in de/fr/es/nl text stay as they are.
/* eslint-disable security/detect-unsafe-regex */
import unhomoglyph from 'unhomoglyph';

export type ViewName = 'text' | 'tags' | 'skeleton' | 'leet' | 'spaced' | 'decoded' | 'rot13';

export interface View {
  name: ViewName;
  text: string;
}

export interface MarkupPart {
  kind: 'markup_comment' | 'hidden_markup';
  text: string;
  /** Line index (0-based) in the original text where the part starts and ends. */
  fromLine: number;
  toLine: number;
}

/** Zero-width, bidi controls, joiners, soft hyphen, BOM and the tag block (U+E0000..E007F). */
export const INVISIBLE = /[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\u00ad\ufeff\u180e\u{e0000}-\u{e007f}]/gu;
const TAGS = /[\u{e0020}-\u{e007e}]+/gu;

export function baseView(raw: string): string {
  // Typographic quotes are not folded by NFKC: "l’IA" must read as "l'IA".
  return raw.normalize('NFKC').replace(INVISIBLE, '').replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[\u201c\u201d]/g, '"');
}

/** Letters spelled apart ("i-g-n-o-r-e", "r u l e s") joined back into words. */
function spacedView(base: string): string | null {
  let changed = false;
  const out = base.replace(/(?<![\p{L}\p{N}])\p{L}(?:([-._·* ])\p{L}(?:\1\p{L}){1,40})(?![\p{L}\p{N}])/gu, (m) => {
    changed = true;
    return m.replace(/[-._·* ]/g, '');
  });
  return changed ? out : null;
}

/** Tag characters spell ASCII text no renderer shows: decoded in place. */
function tagView(raw: string): string | null {
  if (!/[\u{e0020}-\u{e007e}]/u.test(raw)) return null;
  return raw
    .replace(TAGS, (m) => ` ${[...m].map((c) => String.fromCharCode((c.codePointAt(0) ?? 0xe0020) - 0xe0000)).join('')} `)
    .normalize('NFKC')
    .replace(INVISIBLE, '');
}

const skeletonCache = new Map<string, string>();
function skeletonChar(ch: string): string {
  let out = skeletonCache.get(ch);
  if (out === undefined) {
    const mapped = unhomoglyph(ch);
    out = /^[\x20-\x7e]+$/.test(mapped) ? mapped : ch;
    skeletonCache.set(ch, out);
  }
  return out;
}

/** Letters of other scripts that look like Latin ones, mapped to the Latin letter (TR39). */
function skeletonView(base: string): string | null {
  if (!/[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u.test(base)) return null;
  return base.replace(/[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/gu, skeletonChar);
}

/** Words written with letters from two scripts ("Ignоre" with a Cyrillic о): almost never honest. */
export function mixedScriptWords(base: string): string[] {
  const out: string[] = [];
  for (const m of base.matchAll(/[\p{L}\p{M}]{3,40}/gu)) {
    const w = m[0];
    if (/\p{Script=Latin}/u.test(w) && /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u.test(w)) out.push(w);
    if (out.length >= 20) break;
  }
  return out;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'l' };
/** Digit-for-letter spelling undone in words that mix letters and digits (not in plain numbers). */
function leetView(base: string): string | null {
  let changed = false;
  const out = base.replace(/[\p{L}0-9@$]{2,40}/gu, (w) => {
    if (!/[0-9@$]/.test(w) || !/\p{L}/u.test(w)) return w;
    changed = true;
    return w.replace(/[0-9@$]/g, (c) => LEET[c] ?? c);
  });
  return changed ? out : null;
}

function printable(s: string): boolean {
  if (s.length < 8) return false;
  const letters = (s.match(/[\p{L}\s.,:;!?'"-]/gu) ?? []).length;
  return letters / s.length > 0.85 && !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(s);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Base64, hex, URL-encoding and HTML entities decoded in place (when the result is readable text). */
function decodedView(base: string): string | null {
  let changed = false;
  let out = base.replace(/[A-Za-z0-9+/_-]{16,}={0,2}/g, (m) => {
    if (/^[0-9a-f]+$/i.test(m) && m.length % 2 === 0) {
      const hex = Buffer.from(m, 'hex').toString('utf8');
      if (printable(hex)) {
        changed = true;
        return hex.replace(/\n/g, ' ');
      }
    }
    const text = Buffer.from(m.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    if (printable(text)) {
      changed = true;
      return text.replace(/\n/g, ' ');
    }
    return m;
  });
  out = out.replace(/(?:[\w.~+-]{0,40}%[0-9A-Fa-f]{2}){3,}[\w.~+-]{0,40}/g, (m) => {
    try {
      const d = decodeURIComponent(m.replace(/\+/g, ' '));
      if (d !== m) changed = true;
      return d.replace(/\n/g, ' ');
    } catch {
      return m;
    }
  });
  out = out.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,6}));/gi, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    const cp = dec ? Number(dec) : hex ? parseInt(hex, 16) : null;
    if (cp !== null && cp > 0 && cp <= 0x10ffff && cp !== 10) {
      changed = true;
      return String.fromCodePoint(cp);
    }
    const named = name ? NAMED[name.toLowerCase()] : undefined;
    if (named) changed = true;
    return named ?? m;
  });
  return changed ? out : null;
}

export function rot13(s: string): string {
  return s.replace(/[a-z]/gi, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(base + ((c.charCodeAt(0) - base + 13) % 26));
  });
}

/** The views the detector scans: the NFKC text first, then each view that differs from it. */
export function detectionViews(raw: string): View[] {
  const base = baseView(raw);
  const views: View[] = [{ name: 'text', text: base }];
  const add = (name: ViewName, text: string | null): void => {
    if (text !== null && text !== base) views.push({ name, text });
  };
  add('tags', tagView(raw));
  const skeleton = skeletonView(base);
  add('skeleton', skeleton);
  add('leet', leetView(skeleton ?? base));
  add('spaced', spacedView(base));
  add('decoded', decodedView(base));
  add('rot13', rot13(base));
  return views;
}

const LINE_AT = (text: string, index: number): number => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
};

/** Markup comments and hidden markup, pulled out as their own parts (they stay in the text too). */
export function markupParts(raw: string): MarkupPart[] {
  const parts: MarkupPart[] = [];
  const push = (kind: MarkupPart['kind'], index: number, whole: string, inner: string): void => {
    const text = inner.replace(/\s+/g, ' ').trim();
    if (!text || parts.length >= 50) return;
    const fromLine = LINE_AT(raw, index);
    parts.push({ kind, text, fromLine, toLine: fromLine + (whole.match(/\n/g) ?? []).length });
  };
  for (const m of raw.matchAll(/<!--([\s\S]{0,4000}?)-->|\/\*([\s\S]{0,4000}?)\*\/|\{#([\s\S]{0,4000}?)#\}|<%--([\s\S]{0,4000}?)--%>/g)) {
    push('markup_comment', m.index ?? 0, m[0], m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
  }
  for (const m of raw.matchAll(/<([a-z][a-z0-9]{0,10})\b[^>]{0,300}?(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0|\bhidden\b|aria-hidden)[^>]{0,300}>([\s\S]{0,4000}?)<\/\1\s*>/gi)) {
    push('hidden_markup', m.index ?? 0, m[0], (m[2] ?? '').replace(/<[^>]{0,300}>/g, ' '));
  }
  return parts;
}

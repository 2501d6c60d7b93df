// Finds the AI's evidence quotes inside the CV text so the page can wrap exactly those
// substrings in <mark> elements (text nodes only: no innerHTML, no inline styles).
// A quote is first looked up verbatim. Failing that, it is matched the way the screening
// grounded it (case, whitespace and quote/dash style ignored), and the blinded
// placeholders in it ("[NAME_1]", "[EMAIL_2]", ...) stand for the original text they
// replaced, up to PLACEHOLDER_SPAN characters. What gets marked is always a range of the
// CV text itself.

const PLACEHOLDER = /\[(?:NAME|EMAIL|PHONE|ADDRESS|URL|DOB)_\d{1,4}\]/;
const PLACEHOLDER_SPAN = 200;
const MIN_QUOTE = 3;

export interface Piece {
  text: string;
  mark: boolean;
}

function foldChar(c: string): string {
  if (/\s/.test(c)) return ' ';
  if ('\u2018\u2019\u201a\u201b`\u00b4'.includes(c)) return "'";
  if ('\u201c\u201d\u201e\u201f'.includes(c)) return '"';
  if ('\u2010\u2011\u2012\u2013\u2014\u2015\u2212'.includes(c)) return '-';
  const lower = c.toLowerCase();
  return lower.length === 1 ? lower : c;
}

/** The folded text and, for each of its characters, the index of the source character. */
function fold(text: string): { folded: string; at: number[] } {
  let folded = '';
  const at: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = foldChar(text.charAt(i));
    if (c === ' ' && folded.endsWith(' ')) continue;
    folded += c;
    at.push(i);
  }
  return { folded, at };
}

/** Every [start, end) range of `text` where `quote` occurs. */
export function findQuote(text: string, quote: string): [number, number][] {
  const q = quote.trim();
  if (q.length < MIN_QUOTE) return [];
  const ranges: [number, number][] = [];
  for (let i = text.indexOf(q); i >= 0; i = text.indexOf(q, i + q.length)) ranges.push([i, i + q.length]);
  if (ranges.length) return ranges;

  const segments = q
    .split(PLACEHOLDER)
    .map((s) => fold(s).folded.trim())
    .filter((s) => s.length > 0);
  if (segments.join('').length < MIN_QUOTE) return [];
  const { folded, at } = fold(text);
  const first = segments[0] as string;
  for (let start = folded.indexOf(first); start >= 0; start = folded.indexOf(first, start + 1)) {
    let end = start + first.length;
    let ok = true;
    for (const seg of segments.slice(1)) {
      const next = folded.indexOf(seg, end);
      if (next < 0 || next - end > PLACEHOLDER_SPAN) {
        ok = false;
        break;
      }
      end = next + seg.length;
    }
    if (ok) {
      ranges.push([at[start] as number, (at[end - 1] as number) + 1]);
      start = end - 1;
    }
  }
  return ranges;
}

/** Splits `text` into plain and marked pieces for the quotes found in it. */
export function highlight(text: string, quotes: string[]): Piece[] {
  const ranges = quotes.flatMap((q) => findQuote(text, q)).sort((a, b) => a[0] - b[0]);
  const pieces: Piece[] = [];
  let pos = 0;
  for (const [start, end] of ranges) {
    if (end <= pos) continue;
    const from = Math.max(start, pos);
    if (from > pos) pieces.push({ text: text.slice(pos, from), mark: false });
    pieces.push({ text: text.slice(from, end), mark: true });
    pos = end;
  }
  if (pos < text.length) pieces.push({ text: text.slice(pos), mark: false });
  return pieces;
}

/** Whether a quote can be found in the text at all (for "not located in the CV" hints). */
export function locates(text: string, quote: string): boolean {
  return findQuote(text, quote).length > 0;
}

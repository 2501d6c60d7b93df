// Finds the parts of a DOCX that mammoth's raw text either shows although Word would not
// (vanished runs, white or near-background runs, runs under 2 pt) or leaves out (comments,
// tracked deletions, headers, footers, footnotes, endnotes, image descriptions), plus the
// package metadata (docProps/core.xml, app.xml, custom.xml), for the injection detector.
// The package is read with the upload path's guarded ZIP reader (same entry and inflate
// caps). WordprocessingML is scanned with bounded regular expressions, not a DOM: only run
// properties, text elements and a few attributes matter here.
import { readDocxParts } from './sniff.js';
import type { HiddenCollector } from './hidden.js';

// Every pattern below is a lazy match between fixed tags or a bounded attribute scan.
/* eslint-disable security/detect-unsafe-regex */

const PART = /^(?:word\/(?:document|comments|commentsExtended|footnotes|endnotes|styles|header\d*|footer\d*)\.xml|docProps\/(?:core|app|custom)\.xml)$/;
const NEAR = 24;

function decodeXml(s: string): string {
  return s.replace(/&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(amp|lt|gt|quot|apos));/gi, (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec) return String.fromCodePoint(Math.min(Number(dec), 0x10ffff));
    if (hex) return String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[(name ?? 'amp').toLowerCase() as 'amp'] ?? '';
  });
}

/** Text of an XML fragment: w:t / w:delText / w:instrText-free, one line per paragraph. */
function textOf(xml: string): string {
  return decodeXml(
    xml
      .replace(/<\/w:p>/g, '\n')
      .replace(/<w:(?:tab|br|cr)\b[^>]*\/>/g, ' ')
      .replace(/<w:instrText\b[^>]*>[\s\S]*?<\/w:instrText>/g, '')
      .replace(/<[^>]{0,2000}>/g, ''),
  )
    .replace(/[ \t]+/g, ' ')
    .trim();
}

const ATTRS = {
  'w:val': /\sw:val="([^"]{0,200})"/,
  'w:styleId': /\sw:styleId="([^"]{0,200})"/,
  'w:fill': /\sw:fill="([^"]{0,200})"/,
  'w:color': /\sw:color="([^"]{0,200})"/,
  name: /\sname="([^"]{0,200})"/,
  descr: /\sdescr="([^"]{0,2000})"/,
  title: /\stitle="([^"]{0,2000})"/,
} as const;

function attr(tag: string, name: keyof typeof ATTRS): string | null {
  return ATTRS[name].exec(tag)?.[1] ?? null;
}

function hexColour(v: string | null): [number, number, number] | null {
  if (!v || !/^[0-9a-f]{6}$/i.test(v)) return null;
  return [parseInt(v.slice(0, 2), 16), parseInt(v.slice(2, 4), 16), parseInt(v.slice(4, 6), 16)];
}

function near(a: [number, number, number], b: [number, number, number]): boolean {
  return Math.abs(a[0] - b[0]) <= NEAR && Math.abs(a[1] - b[1]) <= NEAR && Math.abs(a[2] - b[2]) <= NEAR;
}

interface RunProps {
  vanish?: boolean;
  colour?: [number, number, number] | null;
  halfPoints?: number;
  shade?: [number, number, number] | null;
}

/** The properties that can hide a run, from a w:rPr fragment. */
function runProps(rPr: string): RunProps {
  const p: RunProps = {};
  const vanish = /<w:vanish\b([^>]{0,100})\/?>/.exec(rPr);
  if (vanish) p.vanish = !/w:val="(?:0|false|off)"/.test(vanish[1] ?? '');
  const colour = /<w:color\b[^>]{0,200}>/.exec(rPr);
  if (colour) p.colour = hexColour(attr(colour[0], 'w:val'));
  const sz = /<w:sz\b[^>]{0,100}>/.exec(rPr);
  if (sz) {
    const v = Number(attr(sz[0], 'w:val'));
    if (Number.isFinite(v)) p.halfPoints = v;
  }
  const shd = /<w:shd\b[^>]{0,200}>/.exec(rPr);
  const fill = shd ? attr(shd[0], 'w:fill') : null;
  // "auto" (or no fill) is no shading; any other unreadable fill leaves the background unknown.
  if (fill && fill !== 'auto') p.shade = hexColour(fill);
  const highlight = /<w:highlight\b[^>]{0,100}>/.exec(rPr);
  if (highlight && attr(highlight[0], 'w:val') !== 'none') p.shade = null;
  return p;
}

/** Character and paragraph styles that hide text (their own w:rPr; basedOn chains are not followed). */
function hidingStyles(styles: string | undefined): Map<string, RunProps> {
  const out = new Map<string, RunProps>();
  for (const m of (styles ?? '').matchAll(/<w:style\b([^>]{0,500})>([\s\S]*?)<\/w:style>/g)) {
    const id = attr(m[1] ?? '', 'w:styleId');
    const rPr = /<w:rPr>([\s\S]*?)<\/w:rPr>/.exec(m[2] ?? '');
    if (id && rPr) out.set(id, runProps(rPr[1] ?? ''));
  }
  return out;
}

/** Offsets covered by shaded table cells or paragraphs, or text boxes: white text there may well be visible. */
function shadedRanges(xml: string, page: [number, number, number]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const m of xml.matchAll(/<w:(tc|p)\b[^>]{0,500}>([\s\S]*?)<\/w:\1>/g)) {
    const props = (m[1] === 'tc' ? /<w:tcPr>([\s\S]*?)<\/w:tcPr>/ : /<w:pPr>([\s\S]*?)<\/w:pPr>/).exec(m[2] ?? '');
    const shd = props ? /<w:shd\b[^>]{0,200}>/.exec(props[1] ?? '') : null;
    const fill = shd ? hexColour(attr(shd[0], 'w:fill')) : null;
    if (fill && !near(fill, page)) ranges.push([m.index, m.index + m[0].length]);
  }
  // Text boxes sit on shapes whose fill (DrawingML or VML) is not followed here: unknown background.
  for (const m of xml.matchAll(/<w:txbxContent\b[^>]{0,200}>[\s\S]*?<\/w:txbxContent>/g)) ranges.push([m.index, m.index + m[0].length]);
  return ranges;
}

function hiddenRuns(xml: string, part: string, styles: Map<string, RunProps>, out: HiddenCollector): void {
  const bg = /<w:background\b[^>]{0,200}>/.exec(xml);
  const page = hexColour(bg ? attr(bg[0], 'w:color') : null) ?? [255, 255, 255];
  const shaded = shadedRanges(xml, page);
  const where = part === 'word/document.xml' ? '' : ` in ${part.replace(/^word\/|\.xml$/g, '')}`;
  let paraStyle: RunProps = {};
  let paraEnd = -1;
  // Adjacent hidden runs with the same reason are one entry (Word splits runs freely).
  const state: { pending: { reason: string; text: string } | null } = { pending: null };
  const flush = (): void => {
    if (state.pending) out.add('hiddenText', state.pending.reason, state.pending.text);
    state.pending = null;
  };
  // A run's body may not contain another run start: a run holding a drawing with a text box
  // is skipped, and the text box's own runs are matched (at their own offsets).
  for (const m of xml.matchAll(/<w:p\b[^>]{0,500}>|<w:r(?:\s[^>]{0,500})?>((?:(?!<w:r[\s>])[\s\S])*?)<\/w:r>/g)) {
    if (m[0].startsWith('<w:p')) {
      // A paragraph's style applies to its runs; its end is the next </w:p>.
      const end = xml.indexOf('</w:p>', m.index);
      paraEnd = end < 0 ? xml.length : end;
      const pStyle = /<w:pStyle\b[^>]{0,200}>/.exec(xml.slice(m.index, Math.min(paraEnd, m.index + 2000)));
      paraStyle = (pStyle && styles.get(attr(pStyle[0], 'w:val') ?? '')) || {};
      continue;
    }
    if (m.index > paraEnd) paraStyle = {};
    const body = m[1] ?? '';
    const text = decodeXml((body.match(/<w:t(?:\s[^>]{0,200})?>[^<]*<\/w:t>/g) ?? []).map((t) => t.replace(/<[^>]*>/g, '')).join(''));
    if (!text.trim()) continue;
    const rPr = /<w:rPr>([\s\S]*?)<\/w:rPr>/.exec(body)?.[1] ?? '';
    const rStyle = /<w:rStyle\b[^>]{0,200}>/.exec(rPr);
    const p: RunProps = { ...paraStyle, ...(rStyle ? styles.get(attr(rStyle[0], 'w:val') ?? '') : {}), ...runProps(rPr) };
    let reason: string | null = null;
    if (p.vanish) reason = `hidden (vanish) text${where}`;
    else if (p.halfPoints !== undefined && p.halfPoints < 4) reason = `tiny text${where}`;
    else if (p.colour && p.shade !== null) {
      const under = p.shade ?? (shaded.some(([a, b]) => m.index >= a && m.index < b) ? null : page);
      if (under && near(p.colour, under)) reason = `${under[0] > 230 && under[1] > 230 && under[2] > 230 ? 'white' : 'background-coloured'} text${where}`;
    }
    if (!reason) {
      flush();
      continue;
    }
    if (state.pending && state.pending.reason === reason) state.pending.text += text;
    else {
      flush();
      state.pending = { reason, text };
    }
  }
  flush();
}

function metadata(name: string, xml: string, out: HiddenCollector): void {
  if (name === 'docProps/custom.xml') {
    for (const m of xml.matchAll(/<property\b([^>]{0,500})>([\s\S]*?)<\/property>/g)) out.add('metadata', `custom ${decodeXml(attr(m[1] ?? '', 'name') ?? 'property')}`, textOf(m[2] ?? ''));
    return;
  }
  const skip = /^(?:dcterms:(?:created|modified)|cp:revision|TotalTime|Pages|Words|Characters|CharactersWithSpaces|Lines|Paragraphs|DocSecurity|ScaleCrop|LinksUpToDate|SharedDoc|HyperlinksChanged|AppVersion)$/;
  // Leaf elements only (no nested tags), e.g. <dc:title>…</dc:title>.
  for (const m of xml.matchAll(/<([A-Za-z][\w.]{0,40}:)?([A-Za-z][\w.]{0,40})\b[^>/]{0,300}>([^<]{1,20000})<\/\1?\2>/g)) {
    const tag = `${m[1] ?? ''}${m[2] ?? ''}`;
    if (skip.test(tag)) continue;
    out.add('metadata', (m[2] ?? tag).toLowerCase(), decodeXml(m[3] ?? ''));
  }
}

/** Hidden text, comments and the like, and metadata of a DOCX package (already checked on upload). */
export function docxHiddenParts(bytes: Buffer, out: HiddenCollector): void {
  const parts = readDocxParts(bytes, (name) => PART.test(name));
  const xml = (name: string): string | undefined => parts.get(name)?.toString('utf8');
  const styles = hidingStyles(xml('word/styles.xml'));
  const names = [...parts.keys()].sort();
  for (const name of names) {
    const body = xml(name) ?? '';
    if (name.startsWith('docProps/')) {
      metadata(name, body, out);
      continue;
    }
    if (name === 'word/styles.xml' || name === 'word/commentsExtended.xml') continue;
    if (name === 'word/comments.xml') {
      for (const m of body.matchAll(/<w:comment\b[^>]{0,500}>([\s\S]*?)<\/w:comment>/g)) out.add('comments', 'comment', textOf(m[1] ?? ''));
      continue;
    }
    if (name !== 'word/document.xml') {
      // Headers, footers, footnotes and endnotes: mammoth's raw text leaves them out.
      const kind = /footnotes|endnotes/.test(name) ? name.replace(/^word\/|s\.xml$/g, '') : name.replace(/^word\/|\d*\.xml$/g, '');
      out.add('comments', kind, textOf(body.replace(/<w:(?:footnote|endnote)\b[^>]{0,200}w:type="(?:separator|continuationSeparator|continuationNotice)"[\s\S]*?<\/w:(?:footnote|endnote)>/g, '')));
    }
    hiddenRuns(body, name, styles, out);
    const deleted = (body.match(/<w:delText\b[^>]{0,200}>[^<]*<\/w:delText>/g) ?? []).map((t) => decodeXml(t.replace(/<[^>]*>/g, ''))).join('');
    out.add('comments', 'tracked deletion', deleted);
    for (const m of body.matchAll(/<wp:docPr\b[^>]{0,2000}>/g)) {
      for (const a of ['descr', 'title'] as const) {
        const v = attr(m[0], a);
        if (v) out.add('comments', 'image description', decodeXml(v));
      }
    }
  }
}

// Finds PDF text a reader would not see, for the prompt-injection detector. It replays each
// page's operator list (pdf.js, via unpdf) keeping the graphics state pdf.js keeps (CTM,
// fill/stroke colour and alpha, font size, render mode, text matrices) and judges every
// text run:
//   - invisible: render mode 3 (no paint) or 7 (clip only), or fill alpha ~0;
//   - near-background: its colour is within a few steps of what lies under it (the last
//     filled rectangle painted there, else the white page); text over an image, shading or
//     pattern fill counts as visible, because the background is unknown;
//   - tiny: an effective size under 2 pt;
//   - off-page: it starts and ends outside the page box;
//   - covered: an opaque filled shape painted later lies over its start and end.
// An OCR text layer (render mode 3 over a scanned image, with little painted text) is how
// scanned PDFs carry their text: invisible text on such a page is not reported.
// Also collected: annotation contents (sticky notes) and the info/XMP metadata values.
import type { getDocumentProxy } from 'unpdf';
import type { HiddenCollector } from './hidden.js';

type PDFDocumentProxy = Awaited<ReturnType<typeof getDocumentProxy>>;
type Matrix = [number, number, number, number, number, number];
type Rgb = [number, number, number];

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const WHITE: Rgb = [255, 255, 255];
/** Largest per-channel difference (0-255) at which text counts as the background colour. */
const NEAR = 24;
const TINY_PT = 2;
const OFF_PAGE_MARGIN = 2;

function mul(m1: Matrix, m2: Matrix): Matrix {
  return [
    m1[0] * m2[0] + m1[1] * m2[2],
    m1[0] * m2[1] + m1[1] * m2[3],
    m1[2] * m2[0] + m1[3] * m2[2],
    m1[2] * m2[1] + m1[3] * m2[3],
    m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
    m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
  ];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]];
}

function asMatrix(v: unknown): Matrix | null {
  const a = Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<number>) : null;
  return a && a.length === 6 && a.every((n) => typeof n === 'number' && Number.isFinite(n)) ? (a as Matrix) : null;
}

function parseColour(args: unknown[]): Rgb | null {
  const [first] = args;
  if (typeof first === 'string' && /^#[0-9a-f]{6}$/i.test(first)) {
    return [parseInt(first.slice(1, 3), 16), parseInt(first.slice(3, 5), 16), parseInt(first.slice(5, 7), 16)];
  }
  if (args.length === 3 && args.every((n) => typeof n === 'number')) return args.map((n) => Math.round(Number(n) <= 1 ? Number(n) * 255 : Number(n))) as Rgb;
  return null;
}

function near(a: Rgb, b: Rgb): boolean {
  return Math.abs(a[0] - b[0]) <= NEAR && Math.abs(a[1] - b[1]) <= NEAR && Math.abs(a[2] - b[2]) <= NEAR;
}

interface GState {
  ctm: Matrix;
  fill: Rgb | null;
  stroke: Rgb | null;
  fillAlpha: number;
  fontSize: number;
  renderMode: number;
  leading: number;
}

interface Paint {
  box: [number, number, number, number];
  /** null: an image, shading or pattern (background unknown). */
  colour: Rgb | null;
}

interface Run {
  text: string;
  reason: string | null;
}

type Ops = Record<string, number>;

function boxOf(points: [number, number][]): [number, number, number, number] {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function pathPoints(data: unknown): [number, number][] {
  // pdf.js 5 packs a path as [op, ...coords] with DrawOPS moveTo 0, lineTo 1, curveTo 2 (6), quadraticCurveTo 3 (4), closePath 4.
  const flat = Array.isArray(data) && (Array.isArray(data[0]) || ArrayBuffer.isView(data[0])) ? Array.from(data[0] as ArrayLike<number>) : [];
  const pts: [number, number][] = [];
  for (let i = 0; i < flat.length; ) {
    const op = flat[i];
    const n = op === 0 || op === 1 ? 2 : op === 2 ? 6 : op === 3 ? 4 : 0;
    for (let k = 0; k + 1 < n; k += 2) pts.push([flat[i + 1 + k] as number, flat[i + 2 + k] as number]);
    i += 1 + n;
  }
  return pts;
}

/** Replays one page's operators and returns its text runs, each with why it is hidden (or null). */
export function hiddenRunsOfPage(OPS: Ops, fnArray: number[], argsArray: unknown[][], view: number[]): Run[] {
  const [px0 = 0, py0 = 0, px1 = 612, py1 = 792] = view;
  const fills = new Set([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke, OPS.rawFillPath]);
  const images = new Set([OPS.paintImageXObject, OPS.paintInlineImageXObject, OPS.paintImageMaskXObject, OPS.paintImageXObjectRepeat, OPS.paintSolidColorImageMask, OPS.paintInlineImageXObjectGroup, OPS.paintImageMaskXObjectGroup]);
  let gs: GState = { ctm: IDENTITY, fill: [0, 0, 0], stroke: [0, 0, 0], fillAlpha: 1, fontSize: 12, renderMode: 0, leading: 0 };
  const stack: GState[] = [];
  const paints: Paint[] = [];
  let tm: Matrix = IDENTITY;
  let tlm: Matrix = IDENTITY;
  let hasImage = false;
  const runs: (Run & { invisibleOnly: boolean; start: [number, number]; end: [number, number]; after: number })[] = [];
  let painted = 0;
  let invisible = 0;

  const background = (x: number, y: number): Rgb | null => {
    for (let i = paints.length - 1; i >= 0; i--) {
      const p = paints[i] as Paint;
      if (x >= p.box[0] && x <= p.box[2] && y >= p.box[1] && y <= p.box[3]) return p.colour;
    }
    return WHITE;
  };
  const moveLine = (tx: number, ty: number): void => {
    tlm = mul([1, 0, 0, 1, tx, ty], tlm);
    tm = tlm;
  };

  const show = (items: unknown): void => {
    if (!Array.isArray(items)) return;
    const size = Math.abs(gs.fontSize) || 1;
    const start = apply(mul(tm, gs.ctm), 0, 0);
    let text = '';
    let advance = 0;
    for (const g of items) {
      if (typeof g === 'number') {
        advance -= (g / 1000) * size;
        if (g < -250 && text && !text.endsWith(' ')) text += ' ';
      } else if (g && typeof g === 'object') {
        const glyph = g as { unicode?: unknown; width?: unknown };
        if (typeof glyph.unicode === 'string') text += glyph.unicode;
        advance += ((typeof glyph.width === 'number' ? glyph.width : 500) / 1000) * size;
      }
    }
    tm = mul([1, 0, 0, 1, advance, 0], tm);
    if (!text.trim()) return;
    const full = mul(tm, gs.ctm);
    const end = apply(full, 0, 0);
    const effective = size * Math.hypot(full[2], full[3]);
    const mode = gs.renderMode & 7;
    let reason: string | null = null;
    let invisibleOnly = false;
    if (mode === 3 || mode === 7) {
      reason = 'invisible text';
      invisibleOnly = true;
    } else if (gs.fillAlpha < 0.05 && mode !== 1 && mode !== 5) reason = 'transparent text';
    else if (effective < TINY_PT) reason = 'tiny text';
    else {
      const outside = (p: [number, number]): boolean => p[0] < px0 - OFF_PAGE_MARGIN || p[0] > px1 + OFF_PAGE_MARGIN || p[1] < py0 - OFF_PAGE_MARGIN || p[1] > py1 + OFF_PAGE_MARGIN;
      if (outside(start) && outside(end)) reason = 'off-page text';
      else {
        const colour = mode === 1 || mode === 5 ? gs.stroke : gs.fill;
        const under = background(start[0], start[1] + effective / 3);
        if (colour && under && near(colour, under)) reason = under === WHITE || (under[0] > 230 && under[1] > 230 && under[2] > 230) ? 'white text' : 'text in the background colour';
      }
    }
    if (invisibleOnly) invisible += text.length;
    else painted += text.length;
    runs.push({ text, reason, invisibleOnly, start, end, after: paints.length });
  };

  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = (argsArray[i] ?? []) as unknown[];
    switch (fn) {
      case OPS.save:
        stack.push({ ...gs });
        break;
      case OPS.restore:
        gs = stack.pop() ?? gs;
        break;
      case OPS.transform: {
        const m = asMatrix(args);
        if (m) gs = { ...gs, ctm: mul(m, gs.ctm) };
        break;
      }
      case OPS.paintFormXObjectBegin: {
        stack.push({ ...gs });
        const m = asMatrix(args[0]);
        if (m) gs = { ...gs, ctm: mul(m, gs.ctm) };
        break;
      }
      case OPS.paintFormXObjectEnd:
        gs = stack.pop() ?? gs;
        break;
      case OPS.setFillRGBColor:
        gs = { ...gs, fill: parseColour(args) };
        break;
      case OPS.setStrokeRGBColor:
        gs = { ...gs, stroke: parseColour(args) };
        break;
      case OPS.setFillColorN:
      case OPS.setFillColor:
        // Patterns and colour spaces pdf.js did not turn into RGB: colour unknown.
        gs = { ...gs, fill: parseColour(args) };
        break;
      case OPS.setFillTransparent:
        gs = { ...gs, fillAlpha: 0 };
        break;
      case OPS.setGState:
        for (const entry of Array.isArray(args[0]) ? (args[0] as unknown[]) : []) {
          if (Array.isArray(entry) && entry[0] === 'ca' && typeof entry[1] === 'number') gs = { ...gs, fillAlpha: entry[1] };
          if (Array.isArray(entry) && entry[0] === 'Font' && Array.isArray(entry[1]) && typeof entry[1][1] === 'number') gs = { ...gs, fontSize: entry[1][1] };
        }
        break;
      case OPS.beginText:
        tm = IDENTITY;
        tlm = IDENTITY;
        break;
      case OPS.setFont:
        if (typeof args[1] === 'number') gs = { ...gs, fontSize: args[1] };
        break;
      case OPS.setTextRenderingMode:
        if (typeof args[0] === 'number') gs = { ...gs, renderMode: args[0] };
        break;
      case OPS.setLeading:
        if (typeof args[0] === 'number') gs = { ...gs, leading: args[0] };
        break;
      case OPS.setTextMatrix: {
        const m = asMatrix(args[0]) ?? asMatrix(args);
        if (m) {
          tm = m;
          tlm = m;
        }
        break;
      }
      case OPS.moveText:
        moveLine(Number(args[0]) || 0, Number(args[1]) || 0);
        break;
      case OPS.setLeadingMoveText:
        gs = { ...gs, leading: -(Number(args[1]) || 0) };
        moveLine(Number(args[0]) || 0, Number(args[1]) || 0);
        break;
      case OPS.nextLine:
        moveLine(0, -gs.leading);
        break;
      case OPS.showText:
      case OPS.showSpacedText:
        show(args[0]);
        break;
      case OPS.nextLineShowText:
        moveLine(0, -gs.leading);
        show(args[0]);
        break;
      case OPS.nextLineSetSpacingShowText:
        moveLine(0, -gs.leading);
        show(args[2]);
        break;
      case OPS.constructPath: {
        if (!fills.has(args[0] as number)) break;
        const pts = pathPoints(args[1]).map(([x, y]) => apply(gs.ctm, x, y));
        // A translucent fill neither hides what is under it nor gives a known background.
        if (pts.length >= 3) paints.push({ box: boxOf(pts), colour: gs.fillAlpha < 0.95 ? null : gs.fill });
        break;
      }
      case OPS.shadingFill:
        // Fills the clip (unknown here): treat the whole page as an unknown background.
        paints.push({ box: [px0 - 1e6, py0 - 1e6, px1 + 1e6, py1 + 1e6], colour: null });
        break;
      default:
        if (fn !== undefined && images.has(fn)) {
          hasImage = true;
          paints.push({ box: boxOf([apply(gs.ctm, 0, 0), apply(gs.ctm, 1, 0), apply(gs.ctm, 0, 1), apply(gs.ctm, 1, 1)]), colour: null });
        }
    }
  }
  // A scanned page with an OCR layer: invisible text over an image is the page's text.
  const ocrLayer = hasImage && invisible > 0 && painted < invisible * 0.1;
  // Text painted over later by an opaque filled shape (not an image: it may be transparent).
  const inside = (b: Paint['box'], p: [number, number]): boolean => p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];
  const covered = (r: (typeof runs)[number]): boolean => {
    for (let i = r.after; i < paints.length; i++) {
      const p = paints[i] as Paint;
      if (p.colour !== null && inside(p.box, r.start) && inside(p.box, r.end)) return true;
    }
    return false;
  };
  return runs.map((r) => ({ text: r.text, reason: ocrLayer && r.invisibleOnly ? null : (r.reason ?? (covered(r) ? 'text covered by a shape' : null)) }));
}

function addRuns(out: HiddenCollector, runs: Run[]): void {
  let reason: string | null = null;
  let text = '';
  const flush = (): void => {
    if (reason && text.trim()) out.add('hiddenText', reason, text);
    text = '';
  };
  for (const r of runs) {
    if (r.reason !== reason) {
      flush();
      reason = r.reason;
    }
    if (reason) text += (text && !text.endsWith(' ') && !r.text.startsWith(' ') ? ' ' : '') + r.text;
  }
  flush();
}

function metadataValues(out: HiddenCollector, prefix: string, obj: unknown, depth = 0): void {
  if (!obj || typeof obj !== 'object' || depth > 2) return;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (typeof v === 'string') out.add('metadata', `${prefix}${k}`, v);
    else if (Array.isArray(v)) out.add('metadata', `${prefix}${k}`, v.filter((x) => typeof x === 'string').join(', '));
    else if (v && typeof v === 'object') metadataValues(out, `${prefix}${k}.`, v, depth + 1);
  }
}

/** Hidden text, annotation contents and metadata of a loaded PDF. */
export async function pdfHiddenParts(pdf: PDFDocumentProxy, OPS: Ops, out: HiddenCollector): Promise<void> {
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    const ops = await page.getOperatorList();
    addRuns(out, hiddenRunsOfPage(OPS, ops.fnArray, ops.argsArray as unknown[][], page.view));
    for (const a of (await page.getAnnotations()) as { subtype?: string; contentsObj?: { str?: unknown }; titleObj?: { str?: unknown } }[]) {
      if (a.subtype === 'Link') continue;
      if (typeof a.contentsObj?.str === 'string') out.add('comments', `annotation${a.subtype ? ` (${a.subtype})` : ''}`, a.contentsObj.str);
    }
    page.cleanup();
  }
  const meta = await pdf.getMetadata().catch(() => null);
  if (meta) {
    const info = meta.info as Record<string, unknown>;
    for (const key of ['Title', 'Author', 'Subject', 'Keywords', 'Creator', 'Producer']) if (typeof info[key] === 'string') out.add('metadata', key.toLowerCase(), info[key]);
    metadataValues(out, 'custom.', info.Custom);
    const xmp = meta.metadata as { getAll?: () => unknown } | null;
    if (xmp?.getAll) metadataValues(out, 'xmp.', xmp.getAll());
  }
}

// Hidden parts of a CV: what the parser saw but a reader of the rendered document would
// not (white or near-background, invisible, tiny or off-page text; vanished DOCX runs),
// parts the raw text omits (comments, tracked deletions, headers, footers, footnotes,
// image descriptions, PDF annotations) and document metadata. They exist only for the
// prompt-injection detector: they are stored sealed with the candidate key beside the
// extracted text and are never part of the text a model sees.
import type { CandidateCipher } from '../../core/crypto.js';

export interface HiddenParts {
  /** Text the parser saw but a reader would not, each prefixed with why: "[white text] …". */
  hiddenText?: string[];
  /** DOCX comments, tracked deletions, headers/footers/footnotes the raw text omits, PDF annotations. */
  comments?: string[];
  /** Document metadata values ("title: …", "keywords: …"). */
  metadata?: string[];
}

/** Bounds on what is kept: enough to show a recruiter why, never a second copy of a huge file. */
export const HIDDEN_LIMITS = { maxEntries: 50, maxEntryChars: 2_000, maxTotalChars: 40_000 };

/** Collects entries under the caps, whitespace-collapsed, empty ones dropped. */
export class HiddenCollector {
  private readonly parts: Required<HiddenParts> = { hiddenText: [], comments: [], metadata: [] };
  private total = 0;

  add(kind: keyof HiddenParts, label: string, value: string): void {
    const text = value.replace(/[ \t\r\n\u00a0]+/g, ' ').trim();
    if (!text) return;
    const list = this.parts[kind];
    if (list.length >= HIDDEN_LIMITS.maxEntries || this.total >= HIDDEN_LIMITS.maxTotalChars) return;
    const entry = `[${label}] ${text}`.slice(0, Math.min(HIDDEN_LIMITS.maxEntryChars, HIDDEN_LIMITS.maxTotalChars - this.total));
    if (list.includes(entry)) return;
    list.push(entry);
    this.total += entry.length;
  }

  result(): HiddenParts {
    const out: HiddenParts = {};
    for (const k of ['hiddenText', 'comments', 'metadata'] as const) if (this.parts[k].length) out[k] = this.parts[k];
    return out;
  }
}

export function hiddenCounts(h: HiddenParts): { hiddenText: number; comments: number; metadata: number } {
  return { hiddenText: h.hiddenText?.length ?? 0, comments: h.comments?.length ?? 0, metadata: h.metadata?.length ?? 0 };
}

export function isEmptyHidden(h: HiddenParts): boolean {
  const c = hiddenCounts(h);
  return c.hiddenText + c.comments + c.metadata === 0;
}

const COLUMN = ['documents', 'hidden_enc'] as const;

export function sealHiddenParts(cipher: CandidateCipher, documentId: string, h: HiddenParts): Buffer {
  return cipher.seal(COLUMN[0], COLUMN[1], documentId, JSON.stringify(h));
}

/** Opens a sealed value; anything that is not the expected shape yields no parts. */
export function openHiddenParts(cipher: CandidateCipher, documentId: string, sealed: Buffer | null): HiddenParts {
  if (!sealed) return {};
  const raw: unknown = JSON.parse(cipher.openText(COLUMN[0], COLUMN[1], documentId, sealed));
  const out: HiddenParts = {};
  if (raw && typeof raw === 'object') {
    for (const k of ['hiddenText', 'comments', 'metadata'] as const) {
      const v = (raw as Record<string, unknown>)[k];
      if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    }
  }
  return out;
}

// Prompt-injection detector: scans extracted CV text (and any hidden parts the parser
// exposes: white/invisible text, DOCX comments and metadata) for instructions aimed at a
// model. A finding never changes a score; it flags the application for a human and
// blocks "advance". Excerpts are short and shown with invisible characters made visible.
//
// Every repetition below is bounded ({0,40}) or a single character class, so the
// patterns run in linear time over a 200k-character CV; the lint heuristic is waived.
/* eslint-disable security/detect-unsafe-regex */
import type { HiddenParts } from '../documents/hidden.js';

export type InjectionKind =
  | 'ignore_instructions'
  | 'scoring_directive'
  | 'system_prompt'
  | 'role_play'
  | 'persona_override'
  | 'hidden_characters'
  | 'hidden_text'
  | 'document_metadata'
  | 'encoded_blob'
  | 'json_override'
  | 'delimiter_escape'
  | 'addressing_the_model'
  | 'output_directive';

export interface InjectionFinding {
  kind: InjectionKind;
  /** Where it was found. */
  source: 'text' | 'hidden_text' | 'comments' | 'metadata';
  excerpt: string;
}

export interface InjectionScan {
  flagged: boolean;
  findings: InjectionFinding[];
  kinds: InjectionKind[];
}

export type { HiddenParts };

const INVISIBLE = /[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\u00ad\ufeff\u{e0000}-\u{e007f}]/gu;

const PATTERNS: [InjectionKind, RegExp][] = [
  ['ignore_instructions', /\b(?:ignore|disregard|forget|override|skip)\b[^\n.]{0,40}?\b(?:previous|prior|above|earlier|all|any|your|the|these|those|system)\b[^\n.]{0,30}?\b(?:instructions?|prompts?|rules|directions|guidelines|guidance|criteria)\b/i],
  ['scoring_directive', /\b(?:rate|score|rank|grade|mark|evaluate|assess|classify)\b[^\n.]{0,40}?\b(?:\d{1,2}\s?\/\s?\d{1,2}|\d{1,3}\s*(?:%|percent|out of)|highest|top|perfect|maximum|max|excellent|best|as (?:a )?(?:strong|perfect|ideal) (?:fit|match|candidate)|as met)\b/i],
  ['scoring_directive', /\b(?:recommend|advance|shortlist|hire|select)\b[^\n.]{0,20}?\b(?:this|the) (?:candidate|applicant|person)\b[^\n.]{0,30}?\b(?:immediately|without|regardless|must|for (?:the )?interview)\b/i],
  ['scoring_directive', /\b(?:this|the) (?:candidate|applicant)\b[^\n.]{0,30}?\b(?:must|should|shall) be (?:hired|advanced|shortlisted|selected|rated|scored|recommended)\b/i],
  ['system_prompt', /\b(?:system prompt|system message|developer message|hidden prompt|initial prompt|your instructions)\b|<\|?(?:system|im_start|im_end|endoftext)\|?>|\[(?:system|inst)\]|^#{2,}\s*(?:system|instruction)/im],
  ['role_play', /\b(?:act as|pretend (?:to be|you are)|role-?play|roleplay|simulate being|imagine you are|play the role|jailbreak|DAN mode|developer mode)\b/i],
  ['persona_override', /\b(?:you are now|from now on,? you|you will now|you must now|new instructions?|updated instructions?|your new (?:task|role|goal))\b/i],
  ['json_override', /\{\s*"(?:score|scores|recommendation|verdict|criteria|role|system|instructions?|result|rating)"\s*:/i],
  ['delimiter_escape', /CANDIDATE_CV_DATA|<\/?\s*(?:cv|resume|document|data|user|assistant|system|instructions?)\s*>|\bend of (?:cv|resume|document|data|input)\b|```\s*(?:system|json)/i],
  ['addressing_the_model', /\b(?:dear|attention|note (?:to|for)|hey|hello|hi|message (?:to|for))\s*,?\s*(?:the\s+)?(?:ai|a\.i\.|llm|gpt|chatgpt|claude|gemini|assistant|language model|screening (?:bot|tool|system|ai)|recruit(?:ing|er) (?:bot|ai|tool)|ats|model)\b|\bas an ai\b|\bif you are an? (?:ai|llm|language model|bot|automated)\b/i],
  ['output_directive', /\b(?:respond|reply|answer|output|return|print|write)\s+(?:only\s+)?(?:with|in|the following|exactly)\b[^\n.]{0,40}?\b(?:json|score|recommendation|advance|yes|the word)\b/i],
];

function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

function excerptAround(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 30);
  const end = Math.min(text.length, index + Math.max(length, 1) + 30);
  return visible(`${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`).replace(/\s+/g, ' ').slice(0, 200);
}

function scanText(text: string, source: InjectionFinding['source'], out: InjectionFinding[]): void {
  for (const [kind, re] of PATTERNS) {
    const m = re.exec(text);
    if (m && !out.some((f) => f.kind === kind && f.source === source)) out.push({ kind, source, excerpt: excerptAround(text, m.index, m[0].length) });
  }
  const hidden = [...text.matchAll(INVISIBLE)];
  // One stray soft hyphen or zero-width joiner is common in copy-pasted text; a run is not.
  if (hidden.length >= 3) out.push({ kind: 'hidden_characters', source, excerpt: `${hidden.length} invisible characters, first: ${excerptAround(text, hidden[0]?.index ?? 0, 1)}` });
  for (const m of text.matchAll(/[A-Za-z0-9+/]{60,}={0,2}/g)) {
    let decoded = '';
    try {
      decoded = Buffer.from(m[0], 'base64').toString('utf8');
    } catch {
      decoded = '';
    }
    const printable = decoded.length > 0 && (decoded.match(/[\x20-\x7e\n]/g) ?? []).length / decoded.length > 0.9;
    if (printable) {
      const inner: InjectionFinding[] = [];
      scanText(decoded, source, inner);
      out.push({ kind: 'encoded_blob', source, excerpt: `base64 text${inner.length ? ` with ${inner.map((f) => f.kind).join(', ')}` : ''}: ${excerptAround(text, m.index, 20)}` });
      break;
    }
  }
}

export function detectInjection(text: string, hidden: HiddenParts = {}): InjectionScan {
  const findings: InjectionFinding[] = [];
  scanText(text, 'text', findings);
  for (const h of hidden.hiddenText ?? []) {
    // Entries carry the parser's reason as a label: "[white text] …".
    const body = h.replace(/^\[[^\]\n]{1,60}\] /, '').trim();
    if (!body) continue;
    const inner: InjectionFinding[] = [];
    scanText(h, 'hidden_text', inner);
    // Text a reader cannot see is suspicious when it talks like an instruction, and when
    // it is long enough to carry one (keyword stuffing, an instruction in other words).
    if (inner.length > 0 || body.length > 40) findings.push({ kind: 'hidden_text', source: 'hidden_text', excerpt: excerptAround(h, 0, 60) });
    findings.push(...inner);
  }
  for (const [source, parts] of [['comments', hidden.comments], ['metadata', hidden.metadata]] as const) {
    for (const part of parts ?? []) {
      const inner: InjectionFinding[] = [];
      scanText(part, source, inner);
      if (inner.length) findings.push({ kind: 'document_metadata', source, excerpt: excerptAround(part, 0, 60) }, ...inner);
    }
  }
  const kinds = [...new Set(findings.map((f) => f.kind))];
  return { flagged: findings.length > 0, findings, kinds };
}

/** Invisible characters removed (after scanning): they can hide words from the redactor. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

// Prompt-injection detector: scans extracted CV text (and any hidden parts the parser
// exposes: white/invisible text, DOCX comments and metadata) for instructions aimed at a
// model. A finding never changes a score; it flags the application for a human and
// blocks "advance". Excerpts are short and shown with invisible characters made visible.
//
// Depth: the text is scanned in every normalised view (normalise.ts: NFKC, TR39 look-alikes,
// tag characters, digit-for-letter, decoded encodings, rot13); markup comments and hidden
// markup are scanned as parts of their own; and besides the legacy English expressions,
// structural rules are composed from per-language pattern data (injection-patterns.ts) for
// every language hirebox ships. The lines where something was found are returned so the
// decision can refuse evidence quoted from them.
//
// Every repetition below is bounded ({0,40}) or a single character class, so the
// patterns run in linear time over a 200k-character CV; the lint heuristic is waived. The
// composed rules are built from this module's own pattern data, never from input.
/* eslint-disable security/detect-unsafe-regex, security/detect-non-literal-regexp */
import type { HiddenParts } from '../documents/index.js';
import { CHAT_TEMPLATE_TOKENS, GLOBAL_EVALUATORS, GLOBAL_GREETINGS, OUTPUT_OVERRIDE, PATTERNS_BY_LANGUAGE, type LanguagePatterns } from './injection-patterns.js';
import { detectionViews, INVISIBLE, markupParts, mixedScriptWords, type ViewName } from './normalise.js';

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
  | 'output_directive'
  | 'role_label'
  | 'evaluator_rule'
  | 'confusable_characters'
  | 'leetspeak'
  | 'markup_comment';

export interface InjectionFinding {
  kind: InjectionKind;
  /** Where it was found. */
  source: 'text' | 'hidden_text' | 'comments' | 'metadata';
  excerpt: string;
  /** The normalised view it was found in (absent: the plain text). */
  view?: ViewName;
}

export interface InjectionScan {
  flagged: boolean;
  findings: InjectionFinding[];
  kinds: InjectionKind[];
  /** Lines of the visible text (as written) that hold a finding or sit inside a markup comment or hidden markup. */
  suspectLines: string[];
}

export type { HiddenParts };


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

// --- structural rules composed from the per-language data ------------------------------

const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';
const alt = (xs: string[]): string => `(?:${xs.join('|')})`;
const word = (xs: string[]): string => `${B}${alt(xs)}${E}`;
/** a … b within `gap` characters on one line, in that order. */
const near = (a: string, b: string, gap = 60): string => `${a}[^\n]{0,${gap}}?${b}`;
const either = (a: string, b: string, gap = 60): string => `(?:${near(a, b, gap)}|${near(b, a, gap)})`;

// Evaluator words too common in ordinary CVs ("models", "assistant", "bots") count only when
// addressed ("Note to the model:"), never as the subject of a third-person rule.
const WEAK_EVALUATOR = /^(?:models\?|model\(\?:len\)\?|modells\?|modèles\?\(\?: de langage\)\?|modelos\?\(\?: de lenguaje\)\?|assistants\?|assistent\(\?:en\)\?|assistant\(\?:e\)\?\(\?: ia\)\?|bots\?|robots\?|ai|ia|ki)$/;
const QUANTIFIERS = ['all', 'every', 'each', 'alle[nms]?', 'jede[nmrs]?', 'sämtliche', 'tou[st]', 'toutes', 'chaque', 'tod[oa]s', 'cada', 'elk', 'ieder', 'iedere'];
const ADDRESS_END = '\\s{0,2}(?:[:,;!(\\u2013\\u2014-]|\\)|$|que\\b|qui\\b|die\\b|das\\b|dat\\b|who\\b|that\\b|which\\b|reading\\b|reviewing\\b|processing\\b|lisant\\b)';
const SIGNAL_EXTRA = ['advance', 'pre-?approved', 'approved', 'understood', 'verstanden', 'compris', 'entendido', 'begrepen', 'goedgekeurd', 'genehmigt', 'aprobado', 'approuvé', 'instruct\\w{0,6}', 'anweisung\\w{0,2}', 'consigne\\w?', 'instruccion\\w{0,2}', 'instructie\\w?', 'recommend\\w{0,4}', 'empf\\w{0,6}', 'recommand\\w{0,4}', 'recomiend\\w{0,3}', 'recomendar\\w{0,3}', 'beveel', 'aanbevel\\w{0,3}', 'override', 'ignor\\w{0,4}'];

interface Rule {
  kind: InjectionKind;
  re: RegExp;
  /**
   * The same rule without its letter/digit boundary assertions (B and E), run first: it
   * matches wherever the rule does (dropping an assertion only lets more through), and it
   * is about three times cheaper, because the look-behind at the start of almost every rule
   * is otherwise tried at every position of the text (issue 19: the detector was most of a
   * CV's main-thread CPU). When it finds nothing, neither would the rule; when it finds
   * something, the rule itself decides, so the findings are exactly the rule's.
   */
  pre: RegExp | null;
}

/**
 * The rule's source with every B and E removed, or null when there is none, or when one sits
 * inside a negative look-around (there, removing it would narrow the match, so no pre-check).
 */
function withoutBoundaries(re: RegExp): RegExp | null {
  const src = re.source;
  let out = '';
  const negated: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < src.length; ) {
    const boundary = !inClass && (src.startsWith(B, i) ? B : src.startsWith(E, i) ? E : null);
    if (boundary) {
      if (negated.includes(true)) return null;
      i += boundary.length;
      continue;
    }
    const c = src[i] as string;
    if (c === '\\') {
      out += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') negated.push(src.startsWith('(?!', i) || src.startsWith('(?<!', i));
    else if (c === ')') negated.pop();
    out += c;
    i += 1;
  }
  return out === src ? null : new RegExp(out, re.flags);
}
const ruleOf = (kind: InjectionKind, re: RegExp): Rule => ({ kind, re, pre: withoutBoundaries(re) });

/** The writer as the subject of what an evaluator is told to report: "state that I …". */
const FIRST_PERSON = ['i', 'ich', 'je', 'yo', 'ik', 'me', 'mich', 'mij', 'moi'];
const RECOMMEND = /recommend|empf|recommand|recomiend|recomendar|beveel|aanbevel/;

function languageRules(p: LanguagePatterns): Rule[] {
  const strongEvaluators = p.evaluators.filter((e) => !WEAK_EVALUATOR.test(e));
  // Product names, "algorithm", "parser": machine readers when addressed, ordinary words otherwise.
  const addressed = [...p.evaluators, ...GLOBAL_EVALUATORS];
  const signals = [...p.candidateRefs, ...p.superlativeScores, ...p.criteriaWords, ...p.personaPhrases, ...p.overrideVerbs, ...strongEvaluators, ...SIGNAL_EXTRA];
  const rules: [InjectionKind, string][] = [
    ['ignore_instructions', near(word(p.overrideVerbs), word(p.instructionNouns), 60)],
    ['persona_override', word(p.personaPhrases)],
    ['scoring_directive', either(word(p.superlativeScores), alt([word(p.candidateRefs), word(p.criteriaWords), word(p.recommendVerbs)]), 60)],
    ['scoring_directive', either(`${word(QUANTIFIERS)}\\s{1,3}(?:[\\p{L}-]{1,15}\\s{1,3}){0,2}${word(p.criteriaWords)}`, word([...p.criteriaOutcomes, ...p.superlativeScores]), 50)],
    ['scoring_directive', near(word(p.recommendVerbs), word(p.candidateRefs), 25)],
    ['addressing_the_model', `${word([...p.addressing, ...GLOBAL_GREETINGS])}[^\\n]{0,25}?${word(addressed)}${ADDRESS_END}`],
    ['addressing_the_model', `${word(p.conditionals)}\\s{1,3}(?:[\\p{L}-]{1,15}\\s{1,3}){0,2}?${word(addressed)}`],
    ['addressing_the_model', `^[ \\t]{0,4}(?:[\\p{L}-]{1,20}[ \\t]){0,2}${alt(addressed)}[ \\t]{0,2}[:：][^\\n]{0,200}?${word(signals)}`],
    ['scoring_directive', word(p.selfDirectives)],
    ['scoring_directive', near(word(p.reportVerbs), alt([word(p.candidateRefs), word(p.superlativeScores), word(p.criteriaWords), word(FIRST_PERSON)]), 40)],
    ['scoring_directive', near(word(p.recommendVerbs.filter((v) => RECOMMEND.test(v))), word(p.interviewRefs), 20)],
    ['evaluator_rule', near(word(strongEvaluators), word(p.modals), 70)],
    ['role_label', `^[ \\t]{0,4}(?:[#>*-][ \\t]{0,2})?${alt(p.roleLabels)}(?:[ \\t]+[\\p{L}-]{2,15}){0,2}[ \\t]{0,2}[:：][^\\n]{0,200}?${word(signals)}`],
    ['output_directive', near(word(p.outputPhrases), '[^\\n]{0,5}', 0)],
  ];
  return rules.map(([kind, src]) => ruleOf(kind, new RegExp(src, 'imu')));
}

let compiled: Rule[] | null = null;
/** All rules, compiled once per process (lazily: importing the module costs nothing). */
function rules(): Rule[] {
  if (!compiled) {
    compiled = [
      ...PATTERNS.map(([kind, re]) => ruleOf(kind, re)),
      ...Object.values(PATTERNS_BY_LANGUAGE).flatMap(languageRules),
      ruleOf('system_prompt', new RegExp(alt(CHAT_TEMPLATE_TOKENS), 'imu')),
      ruleOf('json_override', new RegExp(alt(OUTPUT_OVERRIDE), 'imu')),
    ];
  }
  return compiled;
}

function visible(s: string): string {
  return s.replace(INVISIBLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

function excerptAround(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 30);
  const end = Math.min(text.length, index + Math.max(length, 1) + 30);
  return visible(`${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`).replace(/\s+/g, ' ').slice(0, 200);
}

function lineOf(text: string, index: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

const VIEW_KIND: Partial<Record<ViewName, InjectionKind>> = { tags: 'hidden_characters', skeleton: 'confusable_characters', leet: 'leetspeak', spaced: 'leetspeak', decoded: 'encoded_blob', rot13: 'encoded_blob' };

/** Scans every view of `raw`; returns the findings and the line numbers (of `raw`) they sit on. */
function scanText(raw: string, source: InjectionFinding['source'], out: InjectionFinding[]): Set<number> {
  const lines = new Set<number>();
  const seen = new Set<string>();
  const inPlainText = new Set<Rule>();
  for (const view of detectionViews(raw)) {
    for (const rule of rules()) {
      const { kind, re, pre } = rule;
      // A rule that already matched the plain text says nothing about the other views (so it is not run on them).
      if (view.name !== 'text' && inPlainText.has(rule)) continue;
      if (pre && !pre.test(view.text)) continue;
      const m = re.exec(view.text);
      if (!m) continue;
      if (view.name === 'text') inPlainText.add(rule);
      lines.add(lineOf(view.text, m.index));
      const key = `${kind}:${source}`;
      if (!seen.has(key) && !out.some((f) => f.kind === kind && f.source === source)) {
        seen.add(key);
        out.push({ kind, source, excerpt: excerptAround(view.text, m.index, m[0].length), ...(view.name === 'text' ? {} : { view: view.name }) });
      }
      const viaKind = VIEW_KIND[view.name];
      if (viaKind && !out.some((f) => f.kind === viaKind && f.source === source)) out.push({ kind: viaKind, source, excerpt: `${view.name} view: ${excerptAround(view.text, m.index, m[0].length)}`, view: view.name });
    }
  }
  const hidden = [...raw.matchAll(INVISIBLE)];
  // One stray soft hyphen or zero-width joiner is common in copy-pasted text; a run is not.
  if (hidden.length >= 3 && !out.some((f) => f.kind === 'hidden_characters' && f.source === source)) {
    out.push({ kind: 'hidden_characters', source, excerpt: `${hidden.length} invisible characters, first: ${excerptAround(raw, hidden[0]?.index ?? 0, 1)}` });
    for (const h of hidden) lines.add(lineOf(raw, h.index ?? 0));
  }
  const mixed = mixedScriptWords(raw.normalize('NFKC').replace(INVISIBLE, ''));
  if (mixed.length >= 2 && !out.some((f) => f.kind === 'confusable_characters' && f.source === source)) {
    out.push({ kind: 'confusable_characters', source, excerpt: `${mixed.length} words mixing Latin with look-alike letters: ${visible(mixed.slice(0, 3).join(', '))}` });
  }
  return lines;
}

export function detectInjection(text: string, hidden: HiddenParts = {}): InjectionScan {
  const findings: InjectionFinding[] = [];
  const suspect = scanText(text, 'text', findings);
  // Markup comments and hidden markup in the visible text: scanned as parts of their own,
  // and never a place a must-have's evidence may come from.
  for (const part of markupParts(text)) {
    for (let l = part.fromLine; l <= part.toLine; l += 1) suspect.add(l);
    const inner: InjectionFinding[] = [];
    scanText(part.text, 'text', inner);
    if (inner.length > 0 || (part.kind === 'hidden_markup' && part.text.length > 40)) {
      findings.push({ kind: part.kind === 'markup_comment' ? 'markup_comment' : 'hidden_text', source: 'text', excerpt: excerptAround(part.text, 0, 60) });
      for (const f of inner) if (!findings.some((x) => x.kind === f.kind && x.source === f.source)) findings.push(f);
    }
  }
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
  const textLines = text.split('\n');
  const suspectLines = [...suspect].sort((a, b) => a - b).map((i) => textLines[i] ?? '').filter((l) => l.trim().length > 0);
  return { flagged: findings.length > 0, findings, kinds, suspectLines };
}

/** Invisible characters removed (after scanning): they can hide words from the redactor. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

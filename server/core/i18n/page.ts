// The document around every candidate page (job pages, status page, interview, contest and
// AI pages): the page's language on <html lang>, the public stylesheet, no script unless the
// page brings one, and the language switcher (plain ?lang= links) above the content.
import { escapeHtml } from '../html.js';
import { languageSwitcher } from './switcher.js';
import type { Translator } from './translator.js';

export interface CandidatePageOptions {
  /** The page's own path and query (request.url): shows the language switcher for it. */
  path?: string;
  /** Extra elements for <head> (already escaped). */
  head?: string;
  /** Keep the page out of search indexes (pages behind a personal link). */
  noindex?: boolean;
}

/** The one document shell of every candidate page; `lang` is the page's locale. */
export function candidateDocument(lang: string, title: string, body: string, o: { head?: string; noindex?: boolean; nav?: string } = {}): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${o.noindex ? '<meta name="robots" content="noindex">\n' : ''}<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/apply.css">
${o.head ?? ''}
</head>
<body>
${o.nav ?? ''}
<main>
${body}
</main>
</body>
</html>
`;
}

export function candidatePage(tr: Translator, title: string, body: string, o: CandidatePageOptions = {}): string {
  return candidateDocument(tr.locale, title, body, { head: o.head, noindex: o.noindex, nav: o.path ? languageSwitcher(tr, o.path) : '' });
}

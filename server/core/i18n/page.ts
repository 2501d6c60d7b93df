// The document around a candidate page after applying (status page, interview pages): the
// page's language on <html lang>, the public stylesheet, no script unless the page brings
// one, and the language switcher (plain ?lang= links) above the content.
import { escapeHtml } from '../html.js';
import { languageSwitcher } from './switcher.js';
import type { Translator } from './translator.js';

export interface CandidatePageOptions {
  /** The page's own path and query (request.url), for the language switcher. */
  path: string;
  /** Extra elements for <head> (already escaped). */
  head?: string;
}

export function candidatePage(tr: Translator, title: string, body: string, o: CandidatePageOptions): string {
  return `<!doctype html>
<html lang="${tr.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/apply.css">
${o.head ?? ''}
</head>
<body>
${languageSwitcher(tr, o.path)}
<main>
${body}
</main>
</body>
</html>
`;
}

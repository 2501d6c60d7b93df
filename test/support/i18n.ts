// Test helpers for localised pages (issue 22 item 1): a page rendered for a locale must not
// show English. Used by the unit, integration and browser tests of candidate pages.
import { CATALOGS } from '../../server/core/i18n/catalogs/index.js';

/** The text a reader sees: tags, scripts, styles and entities removed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(nbsp|#160);/g, ' ')
    .replace(/&[a-z#0-9]+;/gi, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

const ENGLISH_WORDS = /\b(the|your|you|and|with|please|this|will|have|been|from|which|apply|application|submit)\b/gi;

/**
 * English left on a page meant for another locale: English function words in its visible
 * text (`ignore` strips names the test chose, e.g. the org and job title), and literal
 * pieces (15+ characters) of English catalog messages.
 */
export function englishLeftIn(html: string, ignore: string[] = []): string[] {
  let text = visibleText(html);
  for (const s of ignore) text = text.split(s).join(' ');
  const found = new Set<string>();
  for (const m of text.matchAll(ENGLISH_WORDS)) found.add(m[0].toLowerCase());
  for (const messages of Object.values(CATALOGS.en)) {
    for (const message of Object.values(messages as Record<string, string>)) {
      for (const piece of message.split(/\{[^{}]*\}/)) if (piece.trim().length >= 15 && text.includes(piece.trim())) found.add(piece.trim());
    }
  }
  return [...found];
}

// The language switcher on every candidate page: plain links (no script) to the same page
// with ?lang=xx; the server remembers the choice in a cookie.
import { escapeHtml } from '../html.js';
import { LOCALES, LOCALE_NAMES, type Locale } from './locales.js';
import type { Translator } from './translator.js';

/** `path` is the page's own path and query (request.url); its lang parameter is replaced. */
export function languageSwitcher(tr: Translator, path: string): string {
  const url = new URL(path, 'http://x');
  const links = LOCALES.map((l: Locale) => {
    url.searchParams.set('lang', l);
    const href = `${url.pathname}${url.search}`;
    const name = escapeHtml(LOCALE_NAMES[l]);
    return l === tr.locale
      ? `<li><span aria-current="true" lang="${l}">${name}</span></li>`
      : `<li><a href="${escapeHtml(href)}" lang="${l}" hreflang="${l}">${name}</a></li>`;
  }).join('');
  return `<nav class="languages" aria-label="${escapeHtml(tr.t('common.languageSwitcher'))}"><ul>${links}</ul></nav>`;
}

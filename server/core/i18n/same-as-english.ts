// Messages a shipped locale may word exactly as English, each with its reason. The catalog
// check (test/unit/i18n-catalogs.test.ts) fails on any other message left identical to
// English, so an untranslated string cannot ship unnoticed.
import type { MessageKey } from './catalog-shape.js';
import type { Locale } from './locales.js';

export const SAME_AS_ENGLISH: Record<Exclude<Locale, 'en'>, Partial<Record<MessageKey, string>>> = {
  de: { 'apply.pageTitle': 'only the job title and the org name, both as written', },
  fr: { 'apply.pageTitle': 'only the job title and the org name, both as written', },
  es: { 'apply.pageTitle': 'only the job title and the org name, both as written', 'questions.no': 'the Spanish word is no' },
  nl: { 'apply.pageTitle': 'only the job title and the org name, both as written', },
};

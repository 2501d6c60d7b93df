// Campaign source of an application (issue 21 item 3): utm_source, utm_medium and
// utm_campaign from the apply page URL, carried in hidden form fields. Values are short
// printable tokens (letters, digits, space and . _ ~ + -, up to 100 characters), the same
// rule as the CHECK in migration 0050; source and medium are lower-cased.
import { ValidationError } from '../../core/errors.js';

export const UTM_FIELDS = ['utm_source', 'utm_medium', 'utm_campaign'] as const;
export type UtmField = (typeof UTM_FIELDS)[number];
export type Utm = Record<UtmField, string | null>;
const VALUE = /^[A-Za-z0-9._~+ -]{1,100}$/;

function normal(field: UtmField, raw: string): string {
  const v = raw.trim();
  return field === 'utm_campaign' ? v : v.toLowerCase();
}

/** Apply form: a value that breaks the rule is a 400 (nothing is stored); empty means not given. */
export function parseUtm(fields: Partial<Record<string, string>>): Utm | null {
  const out: Utm = { utm_source: null, utm_medium: null, utm_campaign: null };
  const errors: { path: string; message: string }[] = [];
  for (const f of UTM_FIELDS) {
    const raw = fields[f];
    if (raw === undefined || raw.trim() === '') continue;
    const v = normal(f, raw);
    if (!VALUE.test(v)) errors.push({ path: `body/${f}`, message: 'must be up to 100 letters, digits, spaces or . _ ~ + -' });
    else out[f] = v;
  }
  if (errors.length > 0) throw new ValidationError(errors, 'The campaign parameters are not valid.');
  return UTM_FIELDS.some((f) => out[f] !== null) ? out : null;
}

/** Apply page: values from a shared link that break the rule are dropped, never an error page. */
export function utmFromQuery(query: unknown): Utm | null {
  if (typeof query !== 'object' || query === null) return null;
  const q = query as Record<string, unknown>;
  const out: Utm = { utm_source: null, utm_medium: null, utm_campaign: null };
  for (const f of UTM_FIELDS) {
    const raw = q[f];
    if (typeof raw !== 'string') continue;
    const v = normal(f, raw);
    if (VALUE.test(v)) out[f] = v;
  }
  return UTM_FIELDS.some((f) => out[f] !== null) ? out : null;
}

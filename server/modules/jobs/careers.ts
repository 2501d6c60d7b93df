// issue 20 item 4: the careers facts of a job (where, how, pay, until when), checked on
// create and update. Codes are real ISO 3166-1 countries and ISO 4217 currencies; a
// remote job names where applicants may live (Google requires applicantLocationRequirements
// with jobLocationType TELECOMMUTE); a salary range is ordered; a posting's valid-through
// lies in the future and within two years.
import { iso31661 } from 'iso-3166';
import { UnprocessableError } from '../../core/errors.js';
import type { CareersFacts, CareersView, JobRow, Salary, Workplace } from './repo.js';

export interface CareersInput {
  workplace?: Workplace;
  streetAddress?: string;
  postalCode?: string;
  region?: string;
  country?: string | null;
  remoteCountries?: string[];
  salary?: Salary | null;
  validThrough?: string | null;
}

const COUNTRIES = new Set(iso31661.map((c) => c.alpha2));
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const MAX_VALID_MS = 2 * 366 * 24 * 3_600_000;

export function isCountryCode(code: string): boolean {
  return COUNTRIES.has(code);
}

/** The careers facts of a stored job, as the API shows them. */
export function careersOf(r: JobRow): CareersView {
  return {
    workplace: r.workplace,
    streetAddress: r.street_address,
    postalCode: r.postal_code,
    region: r.address_region,
    country: r.address_country,
    remoteCountries: r.remote_countries,
    salary:
      r.salary_min !== null && r.salary_currency !== null && r.salary_unit !== null
        ? { min: Number(r.salary_min), max: r.salary_max === null ? null : Number(r.salary_max), currency: r.salary_currency, unit: r.salary_unit }
        : null,
    validThrough: r.valid_through ? r.valid_through.toISOString() : null,
  };
}

/**
 * Checks the careers fields of a create (current = null) or update (current = the stored
 * job) against the job they produce; returns the fields to write (trimmed, deduplicated).
 * Throws a 422 naming the field otherwise; nothing is written.
 */
export function checkCareers(input: CareersInput, current: JobRow | null, now: Date): Partial<CareersFacts> {
  const out: Partial<CareersFacts> = {};
  if (input.workplace !== undefined) out.workplace = input.workplace;
  if (input.streetAddress !== undefined) out.streetAddress = input.streetAddress.trim();
  if (input.postalCode !== undefined) out.postalCode = input.postalCode.trim();
  if (input.region !== undefined) out.region = input.region.trim();
  if (input.country !== undefined) {
    if (input.country !== null && !isCountryCode(input.country)) throw new UnprocessableError({ detail: `country "${input.country}" is not an ISO 3166-1 alpha-2 code.` });
    out.country = input.country;
  }
  if (input.remoteCountries !== undefined) {
    const bad = input.remoteCountries.find((c) => !isCountryCode(c));
    if (bad) throw new UnprocessableError({ detail: `remoteCountries: "${bad}" is not an ISO 3166-1 alpha-2 code.` });
    out.remoteCountries = [...new Set(input.remoteCountries)];
  }
  if (input.salary !== undefined) {
    const s = input.salary;
    if (s !== null) {
      if (!CURRENCIES.has(s.currency)) throw new UnprocessableError({ detail: `salary.currency "${s.currency}" is not an ISO 4217 currency.` });
      if (s.max !== undefined && s.max !== null && s.max < s.min) throw new UnprocessableError({ detail: 'salary.max must not be below salary.min.' });
      out.salary = { min: s.min, ...(s.max !== undefined && s.max !== null ? { max: s.max } : {}), currency: s.currency, unit: s.unit };
    } else {
      out.salary = null;
    }
  }
  if (input.validThrough !== undefined) {
    if (input.validThrough !== null) {
      const t = Date.parse(input.validThrough);
      if (!Number.isFinite(t) || t <= now.getTime()) throw new UnprocessableError({ detail: 'validThrough must lie in the future.' });
      if (t - now.getTime() > MAX_VALID_MS) throw new UnprocessableError({ detail: 'validThrough must lie within two years.' });
      out.validThrough = new Date(t).toISOString();
    } else {
      out.validThrough = null;
    }
  }
  // The job these fields produce: a remote job says where applicants may live.
  const workplace = out.workplace ?? current?.workplace ?? 'onsite';
  const remoteCountries = out.remoteCountries ?? current?.remote_countries ?? [];
  if (workplace === 'remote' && remoteCountries.length === 0) {
    throw new UnprocessableError({ detail: 'A remote job needs remoteCountries: the countries applicants may live in (ISO 3166-1 alpha-2).' });
  }
  return out;
}

// Self-identified demographics in fixed categories, those of NYC Local Law 144's rules
// (DCWP, 6 RCNY §5-300: the EEO-1 categories). Sex/gender: male, female, and
// "non-binary or another gender" (the rules let an audit report an "unknown" category;
// we keep these answers as their own category, which the small-sample rule usually keeps
// out of impact ratios, rather than silently folding them into unknown). Race/ethnicity:
// the seven EEO-1 categories. "I decline to answer" is stored as such and counts as
// unknown in reports, like a skipped question. Values are stable keys; labels are shown.
export const DEMOGRAPHIC_CATEGORIES = {
  gender: {
    label: 'Sex / gender',
    options: {
      female: 'Female',
      male: 'Male',
      non_binary_other: 'Non-binary or another gender',
      decline: 'I decline to answer',
    },
  },
  ethnicity: {
    label: 'Race / ethnicity',
    options: {
      hispanic_latino: 'Hispanic or Latino',
      white: 'White',
      black_african_american: 'Black or African American',
      native_hawaiian_pacific_islander: 'Native Hawaiian or Pacific Islander',
      asian: 'Asian',
      native_american_alaska_native: 'Native American or Alaska Native',
      two_or_more: 'Two or More Races',
      decline: 'I decline to answer',
    },
  },
} as const;

export type DemographicKey = keyof typeof DEMOGRAPHIC_CATEGORIES;
export const DEMOGRAPHIC_KEYS = Object.keys(DEMOGRAPHIC_CATEGORIES) as DemographicKey[];
export const DECLINED = 'decline';

/** The label a report shows for a stored answer; null for declined, missing or unknown values. */
export function categoryLabel(key: string, value: unknown): string | null {
  const dim = (DEMOGRAPHIC_CATEGORIES as Record<string, { options: Record<string, string> }>)[key];
  if (!dim || typeof value !== 'string' || value === DECLINED) return null;
  return dim.options[value] ?? null;
}

const norm = (v: string): string => v.normalize('NFKC').trim().toLowerCase().replace(/[\s_/-]+/g, ' ').replace(/[^a-z ]/g, '').trim();

// Free-text answers given before the categories were fixed, mapped only where the meaning
// is unambiguous; anything else becomes "not answered".
const LEGACY: Record<DemographicKey, Record<string, string>> = {
  gender: {
    female: 'female', woman: 'female', f: 'female', 'cis female': 'female', 'cis woman': 'female',
    male: 'male', man: 'male', m: 'male', 'cis male': 'male', 'cis man': 'male',
    'non binary': 'non_binary_other', nonbinary: 'non_binary_other', nb: 'non_binary_other', enby: 'non_binary_other', genderqueer: 'non_binary_other', agender: 'non_binary_other',
    decline: 'decline', declined: 'decline', 'prefer not to say': 'decline', 'prefer not to answer': 'decline', 'i decline to answer': 'decline', 'decline to answer': 'decline',
  },
  ethnicity: {
    hispanic: 'hispanic_latino', latino: 'hispanic_latino', latina: 'hispanic_latino', latinx: 'hispanic_latino', 'hispanic or latino': 'hispanic_latino',
    white: 'white', caucasian: 'white',
    black: 'black_african_american', 'african american': 'black_african_american', 'black or african american': 'black_african_american',
    asian: 'asian',
    'native hawaiian or pacific islander': 'native_hawaiian_pacific_islander', 'native hawaiian': 'native_hawaiian_pacific_islander', 'pacific islander': 'native_hawaiian_pacific_islander',
    'native american or alaska native': 'native_american_alaska_native', 'american indian or alaska native': 'native_american_alaska_native', 'native american': 'native_american_alaska_native', 'american indian': 'native_american_alaska_native', 'alaska native': 'native_american_alaska_native',
    'two or more races': 'two_or_more', 'two or more': 'two_or_more', multiracial: 'two_or_more', mixed: 'two_or_more', 'mixed race': 'two_or_more',
    decline: 'decline', declined: 'decline', 'prefer not to say': 'decline', 'prefer not to answer': 'decline', 'i decline to answer': 'decline', 'decline to answer': 'decline',
  },
};

/** Maps a pre-categories answer set to the fixed categories; unmapped answers are dropped (not answered). */
export function mapLegacyAnswers(answers: Record<string, unknown>): { mapped: Record<string, string>; dropped: number } {
  const mapped: Record<string, string> = {};
  let dropped = 0;
  for (const [key, value] of Object.entries(answers)) {
    if (typeof value !== 'string' || value.trim() === '') continue;
    const table = (LEGACY as Record<string, Record<string, string>>)[key];
    const options = (DEMOGRAPHIC_CATEGORIES as Record<string, { options: Record<string, string> }>)[key]?.options;
    // Already a fixed key (re-running on data written by the new form is harmless).
    const hit = options && value in options ? value : table?.[norm(value)];
    if (hit) mapped[key] = hit;
    else dropped += 1;
  }
  return { mapped, dropped };
}

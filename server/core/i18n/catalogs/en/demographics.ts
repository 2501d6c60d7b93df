// The voluntary demographic questions on the apply form. Stored values are fixed keys
// (server/modules/applications/demographics.ts); only the labels are translated.
export const demographics = {
  legend: 'Voluntary demographic questions (optional, stored separately)',
  intro: 'Leave any of these unanswered, or choose "I decline to answer". Screeners never see your answers.',
  notAnswered: 'Not answered',
  gender: 'Sex / gender',
  gender_female: 'Female',
  gender_male: 'Male',
  gender_non_binary_other: 'Non-binary or another gender',
  ethnicity: 'Race / ethnicity',
  ethnicity_hispanic_latino: 'Hispanic or Latino',
  ethnicity_white: 'White',
  ethnicity_black_african_american: 'Black or African American',
  ethnicity_native_hawaiian_pacific_islander: 'Native Hawaiian or Pacific Islander',
  ethnicity_asian: 'Asian',
  ethnicity_native_american_alaska_native: 'Native American or Alaska Native',
  ethnicity_two_or_more: 'Two or More Races',
  decline: 'I decline to answer',
};

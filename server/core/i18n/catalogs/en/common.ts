// Page chrome shared by every candidate page.
export const common = {
  language: 'Language',
  languageSwitcher: 'Choose a language',
  timeZoneNote: 'Times are shown in {timeZone}.',
  poweredBy: 'Hiring with hirebox',
};

// Public surface of the applications module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createApplicationService, type ApplicationService } from './service.js';
export { answersViewIn } from './answers.js';
export { DEMOGRAPHIC_CATEGORIES, DEMOGRAPHIC_KEYS, categoryLabel } from './demographics.js';
export { migrateDemographicCategories } from './demographics-migrate.js';
export { readApplicationForm } from './form.js';
export { hiringRoutes } from './wire.js';

// Data access other modules need, named one by one (not the whole repository); used by interviews, messages, resubmissions, scorecards, screening, worker processors/cv-parse.
export { decisionsOfApplication, eventsOfApplication, findApplication, insertEvent, isHumanReviewOnly, listDemographics, notesOfApplication, recordConsent, type ApplicationRow } from './repo.js';
export { wireHiring } from './wire.js';

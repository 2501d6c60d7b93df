// Public surface of the applications module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createApplicationService, type ApplicationHooks, type ApplicationService, type CvParseProducer } from './service.js';
export { answersViewIn } from './answers.js';
export { DEMOGRAPHIC_CATEGORIES, DEMOGRAPHIC_KEYS, categoryLabel } from './demographics.js';
export { migrateDemographicCategories } from './demographics-migrate.js';
export { MULTIPART_LIMITS, readApplicationForm } from './form.js';
// Registered by the hiring module's wiring, inside its multipart scope.
export { applicationRoutes } from './routes.js';

// Data access other modules need, named one by one (not the whole repository); used by interviews, messages, resubmissions, scorecards, screening, worker processors/cv-parse.
export { decisionsOfApplication, eventsOfApplication, findApplication, insertEvent, isHumanReviewOnly, listDemographics, notesOfApplication, recordConsent, type ApplicationRow } from './repo.js';

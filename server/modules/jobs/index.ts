// Public surface of the jobs module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createJobService } from './service.js';
export { createQuestionService, currentQuestionSetIn, type CurrentQuestionSet } from './questions-service.js';
export { careersOf } from './careers.js';
export { QUESTION_LIMITS, answerItems, knockoutMatches, parseAnswers, type Answer, type QuestionDef, type QuestionSet } from './questions.js';
export { questionRoutes } from './questions-routes.js';
export { jobRoutes } from './routes.js';
export { JobStatusSchema, StageKindSchema } from './schemas.js';

// Data access other modules need, named one by one (not the whole repository); used by applications.
export { answersOfApplication, insertAnswers, questionSetVersion } from './questions-repo.js';

// Data access other modules need, named one by one (not the whole repository); used by applications, bias, interviews, messages, public, resubmissions, scorecards, screening, triage.
export { findJob, findOpenJobBySlug, listOpenJobs, openJobLocations, searchOpenJobs, stagesForJob, type JobRow, type StageKind, type StageRow } from './repo.js';

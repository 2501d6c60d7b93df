// Public surface of the candidates module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createCandidateService } from './service.js';
export { decryptCandidate, type CandidateView } from './decrypt.js';
export { CandidateSchema, candidateRoutes } from './routes.js';
export { createCandidateSearch } from './search.js';

// Data access other modules need, named one by one (not the whole repository); used by applications, interviews, messages, portal, resubmissions, rights, screening.
export { applicationsOfCandidate, findCandidate, findCandidateIdByEmailIndex, findCandidates, insertCandidate, type CandidateRow } from './repo.js';

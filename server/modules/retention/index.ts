// Public surface of the retention module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createRetentionService, type RetentionService } from './service.js';
export { createCandidateEraser, retryOnDeadlock, type ErasureResult } from './erase.js';
export { retentionRoutes } from './routes.js';

// Data access other modules need, named one by one (not the whole repository); used by aidocs, notices, privacy, trust.
export { getRetention, listSweptOrgIds, lockCandidate } from './repo.js';

// Public surface of the resubmissions module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createResubmissionService, expireResubmissionsIn, type HeldResubmission, type ResubmissionService } from './service.js';
export { resubmissionRoutes } from './routes.js';

// Public surface of the triage module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createTriageService } from './service.js';
export { triageRoutes } from './routes.js';
export type { ViewFilters } from './schemas.js';

// Data access other modules need, named one by one (not the whole repository); used by ops/scripts/demo-seed.
export { insertSavedView } from './repo.js';
export { wireTriage } from './wire.js';

// Public surface of the messages module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createMessageService } from './service.js';
export { EXPORT_FORMAT_VERSION, createCandidateExportService, type CandidateExportService } from './export.js';
export { candidateExportRoutes } from './export-routes.js';
export { messageRoutes } from './routes.js';

// Data access other modules need, named one by one (not the whole repository); used by notices.

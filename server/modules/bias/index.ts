// Public surface of the bias module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createBiasService, type BiasReport, type BiasService } from './service.js';
export { biasRoutes } from './routes.js';

// Data access other modules need, named one by one (not the whole repository); used by analytics.
export { findReportJob, getBiasSettings, listJobsWithApplications } from './repo.js';
// The CLI's bias commands.
export { renderBiasReport } from './service.js';
export { COUNTERFACTUAL_MAX_SAMPLE, createCounterfactualAudit, renderCounterfactualReport } from './counterfactual.js';
export { wireBias } from './wire.js';

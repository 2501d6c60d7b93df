// Public surface of the public module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { careersRoutes } from './careers.js';
export { escapeHtml, renderResubmissionConfirm, renderResubmissionConfirmed } from './html.js';
export { createApplyLimiter } from './limits.js';
export { resolvePublicOrg } from './org.js';
export { publicRoutes } from './routes.js';
export { wireCareers } from './wire.js';

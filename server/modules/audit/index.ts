// Public surface of the audit module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createAuditService } from './service.js';
export { createDenialRecorder, summariseClosedDenials, type DenialRecorder } from './denials.js';
export { auditRoutes } from './routes.js';
export { wireAudit } from './wire.js';

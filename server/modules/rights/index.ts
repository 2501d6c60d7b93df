// Public surface of the rights module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { closeLinkedRequest, createDeadlineMonitor, createRightsService, type DeadlineCheck, type DeadlineMonitor, type RightsService } from './service.js';
export { rightsRoutes } from './routes.js';
export { REFERENCE_PATTERN } from './reference.js';
export { wireRights } from './wire.js';

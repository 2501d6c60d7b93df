// Public surface of the keys module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export type { KeyRotationService } from './service.js';
export { createKeyRotationService } from './service.js';

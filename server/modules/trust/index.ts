// Public surface of the trust module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export type { RunResult, TrustService } from './service.js';
export { trustRoutes } from './routes.js';
export { wireTrust } from './wire.js';
// The CLI's trust commands.
export { runTrustCheck, runTrustHide, runTrustUnhide } from './commands.js';
export { wireTrustPage } from './wire.js';

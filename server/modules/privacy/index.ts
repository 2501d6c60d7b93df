// Public surface of the privacy module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createPrivacyService } from './service.js';
export { createOffboardingService, type OffboardingService } from './offboarding.js';
export { privacyRoutes } from './routes.js';
// The CLI's privacy commands.
export { runEraseCandidate, runErasuresReapply, runExportCandidate, runExportOrg, runOrgOffboard } from './commands.js';
export { wirePrivacy } from './wire.js';

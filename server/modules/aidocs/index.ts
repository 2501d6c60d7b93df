// Public surface of the aidocs module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createAiDocsService, type DocFacts } from './service.js';
export { aiDocsRoutes } from './routes.js';
export { wireAiDocs } from './wire.js';

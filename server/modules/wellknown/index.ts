// Public surface of the wellknown module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { wellKnownRoutes } from './routes.js';
export { wireWellKnown } from './wire.js';

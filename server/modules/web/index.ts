// Public surface of the web module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { webRoutes } from './routes.js';
export { wireWeb } from './wire.js';

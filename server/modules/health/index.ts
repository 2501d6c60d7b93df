// Public surface of the health module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { healthRoutes } from './routes.js';
export { wireHealth } from './wire.js';

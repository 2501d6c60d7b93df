// Public surface of the sso module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { isDomainName, type TxtResolver } from './service.js';
export { ssoRoutes } from './routes.js';
export { approveSsoDomain } from './service.js';
export { wireSso } from './wire.js';

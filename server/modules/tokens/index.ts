// Public surface of the tokens module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createTokenService, type TokenPrincipal, type TokenService } from './service.js';
export { tokenRoutes } from './routes.js';

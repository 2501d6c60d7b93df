// Public surface of the scorecards module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createScorecardService } from './service.js';
export { scorecardRoutes } from './routes.js';

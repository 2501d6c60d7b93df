// Public surface of the analytics module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createAnalyticsService } from './service.js';
export { analyticsRoutes } from './routes.js';
export { UTM_FIELDS, parseUtm, utmFromQuery } from './utm.js';
export { wireAnalytics } from './wire.js';

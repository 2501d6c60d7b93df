// Public surface of the alerts module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createAlertDeliverer, webhookUrlProblem, type AlertDeliverer, type AlertService, type AlertSink } from './service.js';
export { alertRoutes } from './routes.js';
export { queuedAlertService, wireAlerts } from './wire.js';

// Data access other modules need, named one by one (not the whole repository); used by ops/scripts/demo-seed.
export { insertAlert, updateDelivery, upsertAlertSettings } from './repo.js';
export { alertsUndelivered } from './pending-work.js';

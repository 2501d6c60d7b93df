// Public surface of the event-hooks module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createEventHookDeliverer, createEventHookService, newSigningSecret, type EventHookDeliverer } from './service.js';
export { recordCandidateErased, recordTimelineHook } from './outbox.js';
export { eventHookRoutes } from './routes.js';
export { eventHookProducer } from './wire.js';

// Data access other modules need, named one by one (not the whole repository); used by ops/scripts/demo-seed, worker processors/event-hook-deliver.
export { dueDeliveriesAllOrgs, insertSubscription, updateSubscription } from './repo.js';
export { wireEventHooks } from './wire.js';
export { dueDeliveries } from './service.js';

// Public surface of the webhooks module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createWebhookService, endpointAad, messageAad, type IngestProducer, type ServerMessageEnvelope, type SyncResponder } from './service.js';
export { webhookRoutes } from './routes.js';

// Data access other modules need, named one by one (not the whole repository); used by interviews, worker processors/webhook-ingest.
export { findMessage, markProcessed, newestLiveEndpoint, setEndpointCredential, unprocessedMessagesAllOrgs, type EndpointRow } from './repo.js';
export { claimMessage } from './inbox.js';
export { liveEndpointForAssistant } from './assistant-endpoint.js';
export { markMessageProcessed } from './inbox.js';
export { unprocessedMessages } from './inbox.js';
export { recordEndpointCredential } from './assistant-endpoint.js';

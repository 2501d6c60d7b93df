// Public surface of the portal module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createPortalLinks } from './links.js';
export { portalOrgById, wirePortal, wirePortalLinks } from './wire.js';

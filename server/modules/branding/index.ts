// Public surface of the branding module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createBrandingService } from './service.js';
export { brandingRoutes } from './routes.js';

// Data access other modules need, named one by one (not the whole repository); used by public.
export { findBranding, readLogo, type BrandingRow } from './repo.js';
export { wireBranding } from './wire.js';

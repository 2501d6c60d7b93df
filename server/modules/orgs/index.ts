// Public surface of the orgs module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createOrgService, slugify } from './service.js';

// Data access other modules need, named one by one (not the whole repository); used by aidocs, applications, backups, bias, cli, ops/scripts/demo-seed, public, rights, screening, worker processors/audit-checkpoint.
export { findOrgBySlug, listOrgIds, upsertMembership } from './repo.js';

// The org's name and profile, which mails, notices and candidate pages of other modules show.
export { orgName, orgProfile } from './repo.js';
export { allOrgIds } from './service.js';

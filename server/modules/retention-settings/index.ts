// Public surface of the retention-settings module: the only file other modules import from it.
// Data access other modules need; used by notices and retention.
export { DEFAULT_RETENTION_DAYS, getRetention, upsertRetention, type RetentionRow } from './repo.js';

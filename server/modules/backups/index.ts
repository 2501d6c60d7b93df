// Public surface of the backups module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { watchBackups } from './metrics.js';
export { createBackupMonitor, type BackupCheck, type BackupMonitor } from './monitor.js';

// Data access other modules need, named one by one (not the whole repository); used by trust.
export { latestBackupRun } from './repo.js';

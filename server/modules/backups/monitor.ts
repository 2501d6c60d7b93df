// Stale-backup check (DESIGN §9): when backups are expected (BACKUPS_EXPECTED) and the
// newest run recorded by ops/scripts/backup.sh is older than BACKUP_MAX_AGE_HOURS, or
// there is none, every org gets a stale_backup alert. Every org, because alerts have
// no operator-only channel here and each org's admins were promised recoverable data;
// the alert service throttles repeats per org and kind.
import type { Logger } from 'pino';
import type { Db } from '../../core/db.js';
import type { AlertSink } from '../alerts/index.js';
import { listOrgIds } from '../orgs/index.js';
import { latestBackupRun } from './repo.js';

export type BackupCheck =
  | { status: 'disabled' }
  | { status: 'fresh'; newestAt: string }
  | { status: 'stale' | 'missing'; newestAt: string | null; orgsAlerted: number };

export function createBackupMonitor(deps: { db: Db; alerts: AlertSink; expected: boolean; maxAgeMs: number; clock: () => Date; log: Logger }) {
  return {
    async check(): Promise<BackupCheck> {
      if (!deps.expected) return { status: 'disabled' };
      const now = deps.clock();
      const newest = await latestBackupRun(deps.db);
      if (newest && now.getTime() - newest.finishedAt.getTime() <= deps.maxAgeMs) return { status: 'fresh', newestAt: newest.finishedAt.toISOString() };
      const maxAgeHours = Math.round(deps.maxAgeMs / 3_600_000);
      const ageHours = newest ? Math.floor((now.getTime() - newest.finishedAt.getTime()) / 3_600_000) : null;
      const summary = newest
        ? `The newest database backup is ${ageHours} hours old (limit ${maxAgeHours} hours). The nightly backup is failing: the operator should check hirebox-backup.service.`
        : `No database backup has been recorded (expected at least every ${maxAgeHours} hours). The operator should check hirebox-backup.service.`;
      const details = { newestBackupAt: newest ? newest.finishedAt.toISOString() : null, ageHours, maxAgeHours };
      const orgIds = await listOrgIds(deps.db);
      for (const orgId of orgIds) await deps.alerts.raise(orgId, 'stale_backup', summary, details);
      deps.log.warn({ newestBackupAt: details.newestBackupAt, ageHours, orgs: orgIds.length }, 'backups are stale');
      return { status: newest ? 'stale' : 'missing', newestAt: details.newestBackupAt, orgsAlerted: orgIds.length };
    },
  };
}
export type BackupMonitor = ReturnType<typeof createBackupMonitor>;

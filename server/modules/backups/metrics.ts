// issue 19 item 7: the newest recorded backup as a Prometheus gauge, so a stale backup is an
// operator alert too (time() - hirebox_backup_last_success_timestamp_seconds > 26 h), not only
// the per-org stale_backup alert. Read from backup_runs when scraped, cached for cacheMs.
import { Gauge } from 'prom-client';
import type { Db } from '../../core/db.js';
import type { Metrics } from '../../core/metrics.js';
import { latestBackupRun, type BackupRun } from './repo.js';

export function watchBackups(metrics: Metrics, options: { db: Db; cacheMs?: number }): void {
  const cacheMs = options.cacheMs ?? 30_000;
  let cached: { at: number; value: Promise<BackupRun | null> } | null = null;
  const newest = (): Promise<BackupRun | null | undefined> => {
    const now = Date.now();
    if (!cached || now - cached.at >= cacheMs) {
      const value = latestBackupRun(options.db);
      cached = { at: now, value };
      value.catch(() => {
        if (cached?.value === value) cached = null;
      });
    }
    // Database unreachable: no series (hirebox is down anyway; `up` and the app's 503s show it).
    return cached.value.catch(() => undefined);
  };
  const registers = [metrics.registry];
  new Gauge({
    name: 'hirebox_backup_last_success_timestamp_seconds',
    help: 'Unix time the newest recorded database backup finished (0 when none has been recorded).',
    registers,
    async collect() {
      this.reset();
      const run = await newest();
      if (run !== undefined) this.set(run ? run.finishedAt.getTime() / 1000 : 0);
    },
  });
  new Gauge({
    name: 'hirebox_backup_last_size_bytes',
    help: 'Size of the newest recorded database backup (0 when none has been recorded).',
    registers,
    async collect() {
      this.reset();
      const run = await newest();
      if (run !== undefined) this.set(run ? run.sizeBytes : 0);
    },
  });
}

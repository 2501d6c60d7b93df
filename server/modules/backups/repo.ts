// SQL for backup_runs (migrations/0030): written by ops/scripts/backup.sh as the owner,
// read here by the app role. A global table (server/core/tenancy.ts).
import type { Queryable } from '../../core/db.js';

export interface BackupRun {
  fileName: string;
  sizeBytes: number;
  finishedAt: Date;
}

export async function latestBackupRun(q: Queryable): Promise<BackupRun | null> {
  const { rows } = await q.query<{ file_name: string; size_bytes: string; finished_at: Date }>(
    'SELECT file_name, size_bytes, finished_at FROM backup_runs ORDER BY finished_at DESC LIMIT 1',
  );
  const r = rows[0];
  return r ? { fileName: r.file_name, sizeBytes: Number(r.size_bytes), finishedAt: r.finished_at } : null;
}

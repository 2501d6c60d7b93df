// Wires the health module: liveness/readiness, including the migrations this build expects.
import type { MigrationFile } from '../../core/migrate.js';
import type { Platform } from '../../plugins/platform.js';
import { healthRoutes } from './routes.js';

export async function wireHealth(p: Platform, migrations: MigrationFile[]): Promise<void> {
  await p.app.register(healthRoutes, { db: p.db, redis: p.redis, migrations });
}

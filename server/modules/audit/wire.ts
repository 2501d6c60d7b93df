// Wires the audit log's read side (entries, verification, checkpoints).
import type { Platform } from '../../plugins/platform.js';
import { auditRoutes } from './routes.js';
import { createAuditService } from './service.js';

export async function wireAudit(p: Platform): Promise<void> {
  await p.app.register(auditRoutes, { audit: createAuditService({ db: p.db, audit: p.audit }) });
}

// Wires org membership (invitations, roles, removal).
import type { Platform } from '../../plugins/platform.js';
import type { AuthLimiter } from '../auth/index.js';
import type { PasswordHasher } from '../auth/index.js';
import type { SessionService } from '../auth/index.js';
import { membersRoutes } from './routes.js';
import { createMembersService } from './service.js';

export async function wireMembers(p: Platform, w: { sessions: SessionService; limiter: AuthLimiter; hasher: PasswordHasher }): Promise<void> {
  const members = createMembersService({ db: p.db, audit: p.audit, mailer: p.mailer, sessions: w.sessions, limiter: w.limiter, hasher: w.hasher, publicUrl: p.config.publicUrl, clock: p.clock });
  await p.app.register(membersRoutes, { members });
}

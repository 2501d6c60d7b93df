// Wires the interviewers' calendar feeds (subscribe URLs). Registered by buildApp right after
// the interview module, which used to register it (calendar-feed imports interviews, so the
// interview module must not import it back).
import type { Platform } from '../../plugins/platform.js';
import { calendarFeedRoutes } from './routes.js';
import { createCalendarFeedService } from './service.js';

export async function wireCalendarFeed(p: Platform): Promise<void> {
  await p.app.register(calendarFeedRoutes, { feeds: createCalendarFeedService({ db: p.db, audit: p.audit, publicUrl: p.config.publicUrl, clock: p.clock }) });
}

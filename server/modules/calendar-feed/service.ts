// A member's private, revocable iCal feed of the interviews they may see. The token is
// random (32 bytes), shown once, stored as its SHA-256; rotating replaces it, revoking
// deletes it (the old URL then answers 404). The feed is read under the org's RLS with the
// member's CURRENT role: a member who lost applications:read or left the org gets a 404,
// and hiring managers only see interviews of jobs assigned to them. Events carry no
// candidate name or contact details: the job title and the application id identify them.
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { AuditLog } from '../../core/audit.js';
import type { GlobalDb, TenantDb } from '../../core/db.js';
import { NotFoundError } from '../../core/errors.js';
import { can, isRole } from '../../core/permissions.js';
import { hashToken } from '../../core/tokens.js';
import { inviteUid } from '../interviews/index.js';
import { isTimezone } from '../interviews/index.js';
import type { Ctx } from '../../core/context.js';
import { deleteFeed, feedInterviews, feedMember, orgOfFeed, upsertFeed } from './repo.js';
import { newToken } from '../../core/tokens.js';

/** Past interviews stay in the feed this long; at most this many events. */
export const FEED_PAST_DAYS = 30;
export const FEED_MAX_EVENTS = 500;
export const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;

// GlobalDb: a feed token names its org only through a global lookup.
export function createCalendarFeedService(deps: { db: TenantDb & GlobalDb; audit: AuditLog; publicUrl: URL; clock: () => Date }) {
  const { db } = deps;
  return {
    /** Creates or rotates the caller's feed; the URL is returned only here. */
    async create(ctx: Ctx): Promise<{ url: string }> {
      const token = newToken();
      await db.withTenantTx(ctx.orgId, async (tx) => {
        await upsertFeed(tx, ctx.orgId, ctx.userId, hashToken(token));
        await deps.audit.recordIn(tx, ctx.orgId, { action: 'calendar_feed.created', actor: { type: 'user', id: ctx.userId }, target: { type: 'user', id: ctx.userId }, requestId: ctx.requestId });
      });
      return { url: new URL(`/ical/${token}.ics`, deps.publicUrl).toString() };
    },

    async revoke(ctx: Ctx): Promise<void> {
      await db.withTenantTx(ctx.orgId, async (tx) => {
        if (!(await deleteFeed(tx, ctx.userId))) throw new NotFoundError({ resource: 'Calendar feed' });
        await deps.audit.recordIn(tx, ctx.orgId, { action: 'calendar_feed.revoked', actor: { type: 'user', id: ctx.userId }, target: { type: 'user', id: ctx.userId }, requestId: ctx.requestId });
      });
    },

    /** The feed's iCalendar text; 404 for an unknown, revoked or malformed token or a member who may no longer see interviews. */
    async feed(token: string): Promise<string> {
      const notFound = () => new NotFoundError({ resource: 'Calendar feed' });
      if (!FEED_TOKEN.test(token)) throw notFound();
      const hash = hashToken(token);
      const orgId = await orgOfFeed(db.pool, hash);
      if (!orgId) throw notFound();
      const rows = await db.withTenant(orgId, async (q) => {
        const member = await feedMember(q, hash);
        if (!member || !isRole(member.role) || !can(member.role, 'applications:read')) return null;
        const since = new Date(deps.clock().getTime() - FEED_PAST_DAYS * 24 * 3600 * 1000);
        return feedInterviews(q, member.role === 'hiring_manager' ? member.userId : null, since, FEED_MAX_EVENTS);
      });
      if (!rows) throw notFound();
      const cal = ical({ prodId: { company: 'hirebox', product: 'interview-feed' }, name: 'hirebox interviews' });
      cal.timezone({ name: null, generator: getVtimezoneComponent });
      for (const r of rows) {
        const start = DateTime.fromJSDate(r.scheduled_for);
        cal.createEvent({
          id: inviteUid(r.id, deps.publicUrl),
          sequence: r.ical_sequence,
          stamp: DateTime.fromJSDate(deps.clock()),
          start,
          end: start.plus({ seconds: r.max_duration_seconds }),
          timezone: r.timezone && isTimezone(r.timezone) && getVtimezoneComponent(r.timezone) ? r.timezone : 'UTC',
          summary: `Interview: ${r.job_title} (application ${r.application_id.slice(0, 8)})`,
          description: `AI interview for ${r.job_title}. Application ${r.application_id}.`,
          url: new URL(`/app/applications/${r.application_id}`, deps.publicUrl).toString(),
          status: r.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        });
      }
      return cal.toString();
    },
  };
}

export type CalendarFeedService = ReturnType<typeof createCalendarFeedService>;

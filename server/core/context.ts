// The request context every service receives: who acts, in which org, under which request.
// It lives in core (not in the access plugin that fills it) so services depend on no HTTP code.
import type { Role } from './permissions.js';

export interface RequestContext {
  orgId: string;
  userId: string;
  role: Role;
  requestId: string;
  /** The session's id; '' when an API token authenticated the request. */
  sessionId: string;
  /** Set when an API token (Authorization: Bearer) authenticated the request. */
  tokenId?: string;
}

/** The part of the context services need (no session or token ids). */
export type Ctx = Pick<RequestContext, 'orgId' | 'userId' | 'role' | 'requestId'>;

/** Hiring managers are narrowed to their assigned jobs; other roles see the whole org. */
export function assignedScope(ctx: Ctx): string | null {
  return ctx.role === 'hiring_manager' ? ctx.userId : null;
}

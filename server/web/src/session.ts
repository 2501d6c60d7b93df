// Who is signed in, in which org, with which permissions (the server's own matrix, imported
// so the console hides what the API would refuse anyway).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { can as roleCan, isRole, type Permission } from '../../core/permissions.js';
import type { Me, OrgView } from './api.js';

export interface Session {
  me: Me;
  orgs: OrgView[];
  org: OrgView | null;
  can: (p: Permission) => boolean;
  refresh: () => Promise<void>;
}

export function makeSession(me: Me, orgs: OrgView[], refresh: () => Promise<void>): Session {
  const org = orgs.find((o) => o.id === me.org?.id) ?? null;
  return { me, orgs, org, refresh, can: (p) => isRole(me.role) && roleCan(me.role, p) };
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

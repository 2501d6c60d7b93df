// The one permission matrix. Deny by default: a role has exactly the permissions listed
// here, and every /api route names the permission it needs (or is public with a reason).
export const ROLES = ['admin', 'recruiter', 'hiring_manager', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'org:read',
  'org:manage',
  'members:read',
  'members:manage',
  'jobs:read',
  'jobs:write',
  'candidates:read',
  'candidates:write',
  'applications:read',
  'applications:feedback',
  'applications:decide',
  'screening:run',
  'interviews:manage',
  'audit:read',
  'bias:read',
  'privacy:manage',
  'privacy:read',
  'settings:manage',
  'webhooks:manage',
  'analytics:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

// Hiring managers' reach is further narrowed to jobs they are assigned to, in the data
// layer of the jobs/applications modules; the matrix says what kind of action is allowed.
// Every role's list is written out, so a new permission reaches no role until it is added here.
/** Reading a job's candidates and deciding on them: a hiring manager's whole reach, and part of a recruiter's. */
const DECIDE_ON_CANDIDATES: readonly Permission[] = ['org:read', 'jobs:read', 'candidates:read', 'applications:read', 'applications:feedback', 'applications:decide'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  recruiter: [...DECIDE_ON_CANDIDATES, 'members:read', 'jobs:write', 'candidates:write', 'screening:run', 'interviews:manage', 'analytics:read'],
  hiring_manager: DECIDE_ON_CANDIDATES,
  auditor: ['org:read', 'members:read', 'audit:read', 'bias:read', 'privacy:read', 'analytics:read'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** Access rule every /api route declares in `config.access`. */
export type AccessRule =
  /** `sessionOnly`: API tokens never pass (member/SSO/session administration; issue 20). */
  | { permission: Permission; sessionOnly?: true }
  /**
   * Any signed-in member with MFA completed, whatever the role (e.g. GET /me). With
   * `mfaPending: true` a half-authenticated session (password ok, MFA not yet) may call
   * it too: only the MFA routes and sign-out say so.
   */
  | { authenticated: true; reason: string; mfaPending?: true }
  | { public: string };

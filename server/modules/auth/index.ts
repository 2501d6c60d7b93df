// Public surface of the auth module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createAuthService, createSessionService, type AuthDeps, type ClientInfo, type ResolvedSession, type SessionService } from './service.js';
export { createAuthLimiter, type LimitPolicy } from './limits.js';
export { createPasswordHasher, hashPassword, newPasswordProblem, type PasswordHasher } from './passwords.js';
export { authRoutes } from './routes.js';
export { createUserSecretBox } from './totp.js';

// Data access other modules need, named one by one (not the whole repository); used by members, ops/scripts/demo-seed, orgs, sso.
export { clearTotp, consumeToken, findLiveToken, findUserByEmail, findUserById, getOrgAuthPolicy, insertToken, insertUserWithPassword, listMembershipsOfUser, updatePasswordHash } from './repo.js';
export { wireAuth } from './wire.js';
export { type AuthLimiter } from './limits.js';

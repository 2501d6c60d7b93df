// Public surface of the members module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createMembersService } from './service.js';
export { membersRoutes } from './routes.js';
// The CLI's user commands.
export { runUserMfaReset } from './commands.js';
export { wireMembers } from './wire.js';

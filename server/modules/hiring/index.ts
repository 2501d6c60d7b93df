// Public surface of the hiring module (the composition of the hiring routes): only buildApp imports it.
export { hiringRoutes, wireHiring, type HiringDeps } from './wire.js';

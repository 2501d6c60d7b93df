// Public surface of the calendar-feed module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createCalendarFeedService } from './service.js';
export { calendarFeedRoutes } from './routes.js';
export { wireCalendarFeed } from './wire.js';

// Public surface of the notices module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { createNoticeService, currentNoticeIn, noticeFactsIn, requirePrivacyContactIn, type CurrentNotice } from './service.js';
export { noticeRoutes } from './routes.js';
export { INTERVIEW_NOTICE_VERSION, PRIVACY_NOTICE_VERSION, applyNoticeParagraphs, interviewNoticeLines, mailNoticeFooter } from './text.js';

// Data access other modules need, named one by one (not the whole repository); used by ops/scripts/demo-seed.
export { upsertNoticeSettings } from './repo.js';

// The privacy notice shown before a candidate applies lives with the other candidate
// notices (server/modules/notices/text.ts); re-exported here for the public pages.
export { PRIVACY_NOTICE_VERSION, applyNoticeParagraphs } from '../notices/index.js';

// Public surface of the interviews module: the only file other modules, the app, the CLI and the worker
// import from it. Everything not named here is private to the module.
export { INTERVIEW_NOTICE_VERSION, createInterviewService, type InterviewService } from './service.js';
export { createAccommodationService } from './accommodations.js';
export { assistantPayload, voiceFor } from './assistant.js';
export { inviteUid } from './calendar.js';
export { PermanentFailure, RECONCILE_SLACK_MS, breakerWaitUntil, createCallService, type CallService } from './calls.js';
export { interviewModeLabel, interviewStatusLabel } from './candidate-locale.js';
export { createVapiDeletionService, enqueueDeletions, recordCandidateDeletions, vapiDeletionProducer, type VapiDeletionProducer, type VapiDeletionService } from './deletions.js';
export { PLAN_SCHEMA_NAME } from './plan-draft.js';
export { simulatePlanDraft } from './plan-simulated.js';
export { createRecordingService, type RecordingService } from './recordings.js';
export { createReminderService, type ReminderService } from './reminders.js';
export { expandWeeklyHours, isTimezone } from './schedule.js';
export { createInterviewScorer, type InterviewScorer, type ScoreOutcome } from './score.js';
export { SCORE_SCHEMA_NAME } from './score-schema.js';
export { simulateInterviewScoring } from './score-simulated.js';
export { createVapiApi, withVapiBreaker, type VapiApi } from './vapi.js';
export { interviewRoutes } from './wire.js';

// Data access other modules need, named one by one (not the whole repository); used by privacy, worker processors/vapi-delete.
export { pendingDeletionsAllOrgs, recordOrgCallDeletions } from './deletion-repo.js';

// Data access other modules need, named one by one (not the whole repository); used by aidocs, messages, resubmissions, screening, worker processors/interview-start.
export { interviewsOfApplication, overdueStartsAllOrgs, type VoiceSetting } from './repo.js';
export { wireInterviews } from './wire.js';
export { interviewsUnreconciled, interviewsUnscored, recordingsUnfetched, remindersUnsent } from './pending-work.js';
export { overdueStarts } from './calls.js';
export { pendingDeletions } from './deletions.js';

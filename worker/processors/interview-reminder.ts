// Sends one interview reminder (queue interview-reminder, payload { orgId, interviewId,
// kind, version }). A reminder of an older schedule version, or for an interview that was
// cancelled or already called, sends nothing.
import type { Job } from 'bullmq';
import type { JobPayloads } from '../../server/core/queues.js';
import type { ReminderService } from '../../server/modules/interviews/index.js';

export function createInterviewReminderProcessor(deps: { reminders: ReminderService }) {
  return async (job: Job<JobPayloads['interview-reminder']>): Promise<string> => {
    const { orgId, interviewId, kind, version } = job.data;
    return deps.reminders.send(orgId, interviewId, kind, version);
  };
}

// A reporting window from optional `from`/`to` query strings, shared by the reports that
// take one (fairness, analytics): both bounds optional, each a date or date-time, from < to.
import { ValidationError } from './errors.js';

export interface ReportWindow {
  from: Date | null;
  to: Date | null;
}

export function parseReportWindow(input: { from?: string; to?: string }, invalidMessage: string): ReportWindow {
  const from = input.from ? new Date(input.from) : null;
  const to = input.to ? new Date(input.to) : null;
  const errors: { path: string; message: string }[] = [];
  if (from && Number.isNaN(from.getTime())) errors.push({ path: 'querystring/from', message: 'must be a date or date-time' });
  if (to && Number.isNaN(to.getTime())) errors.push({ path: 'querystring/to', message: 'must be a date or date-time' });
  if (errors.length === 0 && from && to && from.getTime() >= to.getTime()) errors.push({ path: 'querystring/from', message: 'must be before to' });
  if (errors.length > 0) throw new ValidationError(errors, invalidMessage);
  return { from, to };
}

/** A report's window narrowed to one job (null: every job of the org). */
export interface JobReportWindow extends ReportWindow {
  jobId: string | null;
}

/**
 * The SQL condition "application `a` is in the window", shared by the reports' queries so they
 * count the same applications; it takes windowParams(w) as $1..$3.
 */
export const APPLICATION_IN_WINDOW = `($1::uuid IS NULL OR a.job_id = $1)
        AND ($2::timestamptz IS NULL OR a.created_at >= $2)
        AND ($3::timestamptz IS NULL OR a.created_at < $3)`;

export const windowParams = (w: JobReportWindow): [string | null, Date | null, Date | null] => [w.jobId, w.from, w.to];

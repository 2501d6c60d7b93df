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

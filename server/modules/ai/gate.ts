// The gate every piece of AI work passes before a model is called (CV screening, interview
// scoring, the operator's sample checks): the org's pause switch, then its monthly token
// budget. The reason text is what a recruiter sees on the waiting item, so it is built here
// once; the part before ':' is the machine-readable kind.
import type { Queryable } from '../../core/db.js';
import { monthStart, tokensUsed, type AiSettingsRow } from './repo.js';

/** Why the org's AI work must wait now, or null. Reads the month's usage only when a budget is set. */
export async function aiHoldReason(q: Queryable, settings: AiSettingsRow, now: Date): Promise<string | null> {
  if (settings.paused) return `ai_paused${settings.paused_reason ? `: ${settings.paused_reason}` : ''}`;
  if (settings.monthly_token_budget === null) return null;
  const used = await tokensUsed(q, monthStart(now));
  if (used >= settings.monthly_token_budget) return `token_budget_exceeded: ${used} of ${settings.monthly_token_budget} tokens used this month`;
  return null;
}

-- Voice interviews, part 2: scheduling (recruiter availability windows, the candidate's
-- chosen slot and timezone, reschedule/cancel), the retry policy for unanswered, busy and
-- failed calls (attempts, next due time, a final 'unreachable'), browser calls (mode
-- 'browser'), and hirebox-managed Vapi assistants per job (id + hash of the last payload
-- sent, so a plan change is PATCHed once).

ALTER TABLE interviews DROP CONSTRAINT interviews_status_check;
ALTER TABLE interviews ADD CONSTRAINT interviews_status_check CHECK (status IN
  ('invited', 'declined', 'human_requested', 'scheduled', 'calling', 'in_progress', 'ended', 'failed', 'cancelled', 'unreachable'));
ALTER TABLE interviews DROP CONSTRAINT interviews_mode_check;
ALTER TABLE interviews ADD CONSTRAINT interviews_mode_check CHECK (mode IN ('phone', 'browser'));

ALTER TABLE interviews
  ADD COLUMN attempts            integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 20),  -- calls placed so far
  ADD COLUMN next_attempt_at     timestamptz,      -- when the next call is due (chosen slot or retry); null = at once
  ADD COLUMN scheduled_for       timestamptz,      -- the candidate's chosen slot (UTC); null = "start at once"
  ADD COLUMN schedule_version    integer NOT NULL DEFAULT 0,  -- bumped on every (re)schedule: stale jobs and reminders do nothing
  ADD COLUMN candidate_timezone  text CHECK (candidate_timezone ~ '^[A-Za-z0-9_+/-]{1,64}$'),
  ADD COLUMN availability        jsonb,            -- per-invite windows [{start, end}] (else the plan's)
  ADD COLUMN cancelled_at        timestamptz,
  ADD COLUMN cancelled_by        text CHECK (cancelled_by IN ('recruiter', 'candidate'));

-- One row per call placed for an interview: webhooks of an earlier attempt are recognised
-- (and ignored) after a retry replaced interviews.vapi_call_id.
CREATE TABLE interview_calls (
  org_id        uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  call_id       text NOT NULL CHECK (length(call_id) BETWEEN 1 AND 128),
  interview_id  uuid NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
  attempt       integer NOT NULL,
  mode          text NOT NULL CHECK (mode IN ('phone', 'browser')),
  ended_reason  text CHECK (length(ended_reason) <= 200),
  created_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz,
  PRIMARY KEY (org_id, call_id)
);
CREATE INDEX interview_calls_interview_idx ON interview_calls (interview_id);
ALTER TABLE interview_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE interview_calls FORCE ROW LEVEL SECURITY;
CREATE POLICY interview_calls_tenant ON interview_calls
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

ALTER TABLE interview_plans
  ADD COLUMN availability       jsonb NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN voice              jsonb,
  ADD COLUMN vapi_assistant_id  text CHECK (length(vapi_assistant_id) <= 128),
  ADD COLUMN assistant_hash     text CHECK (length(assistant_hash) <= 128);

ALTER TABLE interview_settings
  ADD COLUMN max_call_retries           integer NOT NULL DEFAULT 2 CHECK (max_call_retries BETWEEN 0 AND 5),
  ADD COLUMN retry_delays_seconds       integer[] NOT NULL DEFAULT '{900,3600}'
    CHECK (cardinality(retry_delays_seconds) BETWEEN 1 AND 5 AND 60 <= ALL (retry_delays_seconds) AND 172800 >= ALL (retry_delays_seconds)),
  ADD COLUMN reschedule_cutoff_minutes  integer NOT NULL DEFAULT 60 CHECK (reschedule_cutoff_minutes BETWEEN 0 AND 2880),
  ADD COLUMN vapi_public_key            text CHECK (length(vapi_public_key) <= 128);

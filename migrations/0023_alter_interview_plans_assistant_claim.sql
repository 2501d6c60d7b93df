-- One managed-assistant sync per job at a time (issue 7): two workers starting the first
-- calls of a job together each created an assistant. The worker that finds the assistant
-- missing or stale claims the plan row until this time, makes the Vapi request outside
-- any transaction, stores the id and clears the claim; the others wait for the stored id.
-- A worker that dies mid-sync leaves a claim that simply expires.
ALTER TABLE interview_plans ADD COLUMN assistant_sync_until timestamptz;

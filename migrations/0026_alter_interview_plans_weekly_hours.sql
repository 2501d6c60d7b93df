-- Recurring interview hours per job plan (issue 7): e.g. Monday to Friday 09:00-17:00 in
-- Europe/Berlin, as {timezone, days: [{weekday 1-7, start "HH:MM", end "HH:MM"}]}. An
-- invite turns them into concrete UTC windows for the next 14 days (with each day's own
-- offset), next to any fixed windows; validated by the app (schedule.ts).
ALTER TABLE interview_plans ADD COLUMN weekly_hours jsonb CHECK (weekly_hours IS NULL OR jsonb_typeof(weekly_hours) = 'object');

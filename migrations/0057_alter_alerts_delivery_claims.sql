-- Issue 19: alert delivery exactly once. A channel is claimed (its *_claimed_at set and
-- committed) before the mail or webhook goes out, and the claim is cleared when the outcome
-- is recorded. A claim still set on a later attempt means a worker died between the send
-- and the record: e-mail is then resolved to 'unknown' (never mailed twice to a human),
-- the webhook is resent with the same alert id for the receiver to dedupe.
ALTER TABLE alerts
  ADD COLUMN email_claimed_at timestamptz,
  ADD COLUMN webhook_claimed_at timestamptz;

ALTER TABLE alerts DROP CONSTRAINT alerts_email_status_check;
ALTER TABLE alerts DROP CONSTRAINT alerts_webhook_status_check;
ALTER TABLE alerts
  ADD CONSTRAINT alerts_email_status_check CHECK (email_status IN ('pending', 'delivered', 'failed', 'skipped', 'unknown')),
  ADD CONSTRAINT alerts_webhook_status_check CHECK (webhook_status IN ('pending', 'delivered', 'failed', 'skipped', 'unknown'));

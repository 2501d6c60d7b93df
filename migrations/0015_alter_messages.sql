-- Candidate messages (issue 5 item 8). Templates become a named, editable list per org
-- (several per kind), each optionally sent automatically (send_on): 'apply' (an
-- application received) or a stage kind reached. Rejections are never automatic (CHECK).
-- Messages are written 'pending' in the transaction and mailed after commit; the sender
-- then records 'sent' or 'failed'. Bodies and subjects stay encrypted with the
-- candidate key (AAD org|messages|column|id).
ALTER TABLE message_templates DROP CONSTRAINT message_templates_org_id_kind_key;
ALTER TABLE message_templates
  ADD COLUMN name       text NOT NULL DEFAULT 'Template' CHECK (length(name) BETWEEN 1 AND 100),
  ADD COLUMN send_on    text CHECK (send_on IN ('apply', 'screening', 'interview', 'offer', 'hired', 'withdrawn')),
  ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT message_templates_no_auto_rejection CHECK (kind <> 'rejection' OR send_on IS NULL),
  ADD CONSTRAINT message_templates_apply_is_received CHECK (send_on IS DISTINCT FROM 'apply' OR kind = 'application_received');
ALTER TABLE message_templates ALTER COLUMN name DROP DEFAULT;
CREATE UNIQUE INDEX message_templates_org_name_idx ON message_templates (org_id, lower(name));
CREATE UNIQUE INDEX message_templates_org_send_on_idx ON message_templates (org_id, send_on) WHERE send_on IS NOT NULL;

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages
  ADD CONSTRAINT messages_status_check CHECK (status IN ('pending', 'sent', 'failed')),
  ADD CONSTRAINT messages_kind_check CHECK (template_kind IN ('application_received', 'interview_invite', 'rejection', 'generic', 'free_text')),
  ADD COLUMN template_id uuid REFERENCES message_templates(id) ON DELETE SET NULL,
  ADD COLUMN origin      text NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'apply', 'stage')),
  ADD COLUMN sent_at     timestamptz,
  ADD COLUMN error       text CHECK (length(error) <= 200);
ALTER TABLE messages ALTER COLUMN status SET DEFAULT 'pending';
CREATE INDEX messages_template_idx ON messages (org_id, template_id);

-- Privacy-request register (issue 18 item 6; GDPR Art. 12(3)): every data subject request
-- an org receives (access, erasure, rectification, objection, restriction), when it came
-- in, how the requester's identity was checked, when the answer is due (one month from
-- receipt, extendable by up to two further months with a reason) and how it ended. The
-- daily privacy-deadlines job raises due-soon and overdue alerts from it. No personal
-- data: the requester is the linked candidate (whose data stays encrypted in candidates),
-- the reference is a ticket number, and the reasons/method are short admin notes.
CREATE TABLE privacy_requests (
  id                 uuid PRIMARY KEY,
  org_id             uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  reference          text NOT NULL CHECK (reference ~ '^[A-Za-z0-9][A-Za-z0-9 ._:/#-]{0,119}$'),
  type               text NOT NULL CHECK (type IN ('access', 'erasure', 'rectification', 'objection', 'restriction')),
  received_on        date NOT NULL,
  identity_status    text NOT NULL DEFAULT 'pending' CHECK (identity_status IN ('pending', 'verified', 'failed')),
  identity_method    text CHECK (length(identity_method) BETWEEN 1 AND 200),
  due_on             date NOT NULL CHECK (due_on > received_on),
  extension_months   smallint NOT NULL DEFAULT 0 CHECK (extension_months BETWEEN 0 AND 2),
  extension_reason   text CHECK (length(extension_reason) BETWEEN 1 AND 500),
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'refused')),
  refusal_reason     text CHECK (length(refusal_reason) BETWEEN 1 AND 500),
  candidate_id       uuid REFERENCES candidates (id) ON DELETE SET NULL,
  -- What closed it: 'export', 'erasure', 'rectification' (the action) or 'manual'.
  closed_by_action   text CHECK (closed_by_action IN ('export', 'erasure', 'rectification', 'manual')),
  closed_at          timestamptz,
  created_by         uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, reference),
  CHECK ((extension_months = 0) = (extension_reason IS NULL)),
  CHECK ((status = 'refused') = (refusal_reason IS NOT NULL)),
  CHECK ((status IN ('done', 'refused')) = (closed_at IS NOT NULL))
);
CREATE INDEX privacy_requests_open_due_idx ON privacy_requests (org_id, due_on) WHERE status IN ('open', 'in_progress');
CREATE INDEX privacy_requests_candidate_idx ON privacy_requests (candidate_id) WHERE candidate_id IS NOT NULL;
ALTER TABLE privacy_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE privacy_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY privacy_requests_tenant ON privacy_requests
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

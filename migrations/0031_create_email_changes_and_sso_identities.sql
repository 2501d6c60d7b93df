-- Issue 14 (H1, H2): a sign-in address changes only through a link mailed to the new
-- address; SSO identities are bound to (issuer, sub); SSO email domains count only once
-- the org has proved it owns them (DNS TXT) or the operator approved them.

-- A requested change of a user's sign-in address. Both links are single use and stored as
-- SHA-256 only: the confirm link goes to the new address, the revert link to the old one
-- (it cancels a pending change or restores the old address, and ends every session).
-- Global, like users: looked up by token hash before any org is known (server/core/tenancy.ts).
CREATE TABLE email_changes (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  old_email           text NOT NULL,
  new_email           text NOT NULL,
  confirm_token_hash  bytea NOT NULL UNIQUE,
  confirm_expires_at  timestamptz NOT NULL,
  revert_token_hash   bytea NOT NULL UNIQUE,
  revert_expires_at   timestamptz NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  confirmed_at        timestamptz,
  reverted_at         timestamptz,
  -- Superseded by a newer request, or refused at confirmation (the address was taken).
  cancelled_at        timestamptz
);
CREATE INDEX email_changes_user_id_idx ON email_changes (user_id);

-- Which local account an IdP identity is. Global: one IdP identity (issuer, sub) is one
-- person whichever org's SSO configuration names that issuer. Created only by just-in-time
-- creation of a new account or by the account's own proof (password + TOTP).
CREATE TABLE sso_identities (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issuer          text NOT NULL CHECK (length(issuer) <= 500),
  subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  linked_via      text NOT NULL CHECK (linked_via IN ('jit', 'proof')),
  linked_org_id   uuid REFERENCES orgs (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz,
  UNIQUE (issuer, subject)
);
CREATE INDEX sso_identities_user_id_idx ON sso_identities (user_id);
CREATE INDEX sso_identities_linked_org_id_idx ON sso_identities (linked_org_id);

-- Proof of ownership of an SSO email domain, per org (tenant table). A domain of
-- allowedDomains counts only when its row here is verified.
CREATE TABLE sso_domains (
  org_id           uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  domain           text NOT NULL CHECK (length(domain) BETWEEN 3 AND 253),
  -- Published in DNS by the org, so not a secret: stored as is.
  challenge        text NOT NULL CHECK (challenge ~ '^[A-Za-z0-9_-]{16,64}$'),
  verified_at      timestamptz,
  verified_via     text CHECK (verified_via IN ('dns', 'operator')),
  last_checked_at  timestamptz,
  last_check       text CHECK (last_check IN ('verified', 'not_found', 'mismatch', 'dns_error')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, domain),
  CHECK ((verified_at IS NULL) = (verified_via IS NULL))
);
ALTER TABLE sso_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE sso_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY sso_domains_tenant ON sso_domains
  USING (org_id = app_current_org()) WITH CHECK (org_id = app_current_org());

-- The Vapi credential that signs server messages for an endpoint (issue 7). A managed
-- assistant names the org's newest live endpoint as its server URL with a credentialId;
-- Vapi signs each message with that credential (HMAC over `{timestamp}.{body}` with the
-- endpoint's secret and header names, or a bearer token). hirebox creates the credential
-- once per endpoint (POST /credential) and keeps its id here; the id is not a secret.
ALTER TABLE webhook_endpoints ADD COLUMN vapi_credential_id text CHECK (vapi_credential_id IS NULL OR length(vapi_credential_id) BETWEEN 1 AND 200);

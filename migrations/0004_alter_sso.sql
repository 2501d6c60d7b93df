-- OIDC SSO: which `acr` values of the org's IdP count as multi-factor (when the org trusts
-- its IdP's MFA). Empty means only the `amr` claim can vouch for MFA.
ALTER TABLE org_auth_settings
  ADD COLUMN sso_mfa_acr_values text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(sso_mfa_acr_values) <= 20);

// The one list of tables that are deliberately global (no org_id, no row-level
// security). They are reached only through narrow functions in their modules' repos.
// Every other table that carries org_id must have FORCE ROW LEVEL SECURITY and a
// policy: test/integration/tenancy.test.ts enforces both.
export const GLOBAL_TABLES = ['orgs', 'users', 'sessions', 'user_tokens', 'recovery_codes', 'schema_migrations', 'backup_runs', 'platform_audit_heads', 'platform_audit_events', 'platform_audit_checkpoints', 'email_changes', 'sso_identities', 'trust_results', 'trust_hidden', 'restore_drills'] as const;

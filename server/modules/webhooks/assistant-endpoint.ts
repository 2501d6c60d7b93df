// What a managed Vapi assistant (interviews/assistant.ts) needs from this module's endpoints:
// the org's newest live endpoint, its secret opened only while no Vapi credential is
// recorded for it, and recording the credential once. The interviews module uses these,
// not the endpoint SQL.
import { openText, type Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import { newestLiveEndpoint, setEndpointCredential, type EndpointRow } from './repo.js';
import { endpointAad } from './service.js';

export type { EndpointRow } from './repo.js';

export interface AssistantEndpoint {
  endpoint: EndpointRow & { vapi_credential_id: string | null };
  /** The endpoint's secret, opened only when no Vapi credential is recorded yet. */
  secret: string | null;
}

/** The org's newest live endpoint, or null when it has none. */
export async function liveEndpointForAssistant(deps: { db: TenantDb; keyring: Keyring }, orgId: string): Promise<AssistantEndpoint | null> {
  return deps.db.withTenant(orgId, async (q) => {
    const row = await newestLiveEndpoint(q);
    if (!row) return null;
    if (row.vapi_credential_id) return { endpoint: row, secret: null };
    return { endpoint: row, secret: openText(await deps.keyring.orgKey(q, orgId), row.secret_enc, endpointAad(orgId, row.id)) };
  });
}

/** Records the endpoint's Vapi credential unless one is recorded already; returns the one that holds. */
export async function recordEndpointCredential(db: TenantDb, orgId: string, endpointId: string, credentialId: string): Promise<string | null> {
  return db.withTenantTx(orgId, (tx) => setEndpointCredential(tx, endpointId, credentialId));
}

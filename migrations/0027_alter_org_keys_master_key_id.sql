-- Master key rotation (DESIGN §5, `hirebox keys rotate`): every wrapped org key records
-- which master key wrapped it, as that key's id (server/core/crypto.ts masterKeyId: 16 hex
-- digits of an HMAC keyed by the master key; the key itself never reaches the database).
--
-- Existing rows stay NULL = "wrapped before ids were recorded". SQL cannot compute the id
-- (that would need the key here), and stamping rows from the migrate command would tie a
-- schema step to key material. NULL is not a guess either: the keyring tries the keys it
-- holds, current first, and AES-GCM authentication tells which one opens the row. The next
-- `hirebox keys rotate` stamps (and if needed re-wraps) every NULL row, and `hirebox keys
-- status` counts them as still needing attention, so no key is retired while one is left.
ALTER TABLE org_keys
  ADD COLUMN master_key_id text CHECK (master_key_id ~ '^[0-9a-f]{16}$'),
  ADD COLUMN rewrapped_at  timestamptz;

-- The app role still cannot UPDATE org_keys (0003): re-wrapping is an owner task, done by
-- `hirebox keys rotate` over MIGRATION_DATABASE_URL, so a compromised app process cannot
-- overwrite (and so destroy) an org's key.

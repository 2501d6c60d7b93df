// Audit events of master key rotation. Field names are a stable contract; they carry key
// ids (fingerprints), never key material.

export const KEY_ROTATED = 'key.rotated';

/** One per org whose org key `hirebox keys rotate` re-wrapped or labelled. */
export interface KeyRotatedMetadata {
  /** The master key that wrapped the org key before; null if it was not recorded (pre-0027). */
  previousMasterKeyId: string | null;
  /** The current master key, which wraps it now. */
  masterKeyId: string;
  /** False when a pre-0027 row was already under the current key and only got its id recorded. */
  rewrapped: boolean;
  [key: string]: string | boolean | null;
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Teardownable } from './services.js';

/** Writes a fresh master key and audit signing key to a temp dir (0600), removed at teardown. */
export function writeTestKeys(t: Teardownable): { dir: string; masterKeyFile: string; auditSigningKeyFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hirebox-keys-'));
  const masterKeyFile = path.join(dir, 'master.key');
  const auditSigningKeyFile = path.join(dir, 'audit-signing.pem');
  writeFileSync(masterKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  writeFileSync(auditSigningKeyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, masterKeyFile, auditSigningKeyFile };
}

// What every `hirebox` command shares (server/cli.ts and the command files it loads on
// demand): output in human or `--json` form, usage errors (exit 2), argument parsing, the
// keyring with the previous master keys, and a small database pool closed after the command.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from './core/config.js';
import { createKeyring, type Keyring } from './core/crypto.js';
import { createErasureLedger, type ErasureLedger } from './core/erasure-ledger.js';
import { createDb, isUuid, type Db } from './core/db.js';

export type Out = { json: boolean };

/** A mistake in the command line: the CLI prints it with the usage text and exits 2. */
export class UsageError extends Error {}

export function print(out: Out, human: string, data: unknown): void {
  process.stdout.write(out.json ? `${JSON.stringify(data)}\n` : `${human}\n`);
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { json?: boolean };

/** The command's options (`--json` is always allowed); unknown options and stray arguments are usage errors. */
export function commandArgs<const O extends Options>(command: string, argv: string[], options: O): Values<O> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' } }, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}`);
    return values as Values<O>;
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
}

/** An id option: required unless `optional`, and a uuid when given. */
export function uuidOption(command: string, flag: string, value: string | undefined): string;
export function uuidOption(command: string, flag: string, value: string | undefined, optional: true): string | undefined;
export function uuidOption(command: string, flag: string, value: string | undefined, optional = false): string | undefined {
  if (value === undefined) {
    if (optional) return undefined;
    throw new UsageError(`${command} needs --${flag}`);
  }
  if (!isUuid(value)) throw new UsageError(`--${flag} must be ${/^[aeiou]/.test(flag) ? 'an' : 'a'} ${flag} id (uuid)`);
  return value;
}

/** A whole number from 1 to max; `fallback` when absent (undefined: the option is required). */
export function wholeNumberOption(command: string, flag: string, value: string | undefined, fallback: number | undefined, max: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${command} needs --${flag}`);
    return fallback;
  }
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new UsageError(`--${flag} must be a whole number from 1 to ${max}`);
  return Number(value);
}

/** The erasure ledger (server/core/erasure-ledger.ts) at ERASURE_LEDGER_PATH, MAC'd under the master key. */
export function erasureLedgerOf(config: Config): ErasureLedger {
  return createErasureLedger({ file: config.erasureLedgerFile, masterKey: config.masterKey.reveal(), previousMasterKeys: config.previousMasterKeys.reveal() });
}

/** Every command's keyring holds the previous master keys too (MASTER_KEY_PREVIOUS_FILES), so it reads data not yet re-wrapped. */
export function keyringOf(config: Config): Keyring {
  return createKeyring({ masterKey: config.masterKey.reveal(), previousMasterKeys: config.previousMasterKeys.reveal() });
}

/** Runs `fn` with a two-connection pool on `connectionString` (the app role unless a command needs the owner), closed afterwards. */
export async function withDb<T>(connectionString: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb({ connectionString, max: 2, applicationName: 'hirebox-cli' });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

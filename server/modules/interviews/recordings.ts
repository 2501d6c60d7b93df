// Recordings held on the box (issue 18). When a call with the candidate's recording
// consent has ended and been reconciled, the recording-fetch job asks Vapi for the call
// again (GET /call/:id: a fresh, presigned recording URL), streams the audio with a size
// cap and a time limit, seals it under the candidate key (AAD bound to the interview row,
// as CVs are), stores it, and only then records the call for deletion at Vapi (the
// vapi-delete job, interviews/deletions.ts). Without consent nothing is fetched and the
// call is deleted at Vapi once its transcript is taken. Erasure deletes the row and
// destroys the key (retention/repo.ts scrubCandidate).
//
// The recording URL comes from Vapi's answer, not from a user, but it is still checked:
// https only, and no private, loopback or link-local address unless `allowLoopback` (dev
// and test, where the fake Vapi serves recordings on 127.0.0.1).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { Logger } from 'pino';
import type { AuditLog } from '../../core/audit.js';
import type { Keyring } from '../../core/crypto.js';
import type { TenantDb } from '../../core/db.js';
import { recordCallDeletion } from './deletion-repo.js';
import type { VapiDeletionProducer } from './deletions.js';
import { findInterview } from './repo.js';
import { insertRecording } from './recording-repo.js';
import type { VapiApi } from './vapi.js';
import { createOutbound, OutboundRefusedError, OutboundResponseTooLargeError, type Outbound } from '../../core/outbound.js';

export const MAX_RECORDING_BYTES = 100 * 1024 * 1024;
export const RECORDING_FETCH_TIMEOUT_MS = 120_000;

const CONTENT_TYPES: Record<string, string> = {
  'audio/wav': 'audio/wav',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mpeg': 'audio/mpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/ogg': 'audio/ogg',
  'audio/webm': 'audio/webm',
  'audio/mp4': 'audio/mp4',
};
const BY_EXTENSION: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg', webm: 'audio/webm', m4a: 'audio/mp4', mp4: 'audio/mp4' };

const PRIVATE = new BlockList();
for (const [net, prefix] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['127.0.0.0', 8], ['169.254.0.0', 16], ['100.64.0.0', 10], ['0.0.0.0', 8]] as const) PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::1', 128], ['fc00::', 7], ['fe80::', 10], ['::', 128]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export class RecordingRefused extends Error {}

/** Refuses a URL that is not https to a public address (http to loopback only when allowed). */
export async function checkRecordingUrl(raw: string, allowLoopback: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RecordingRefused('the recording URL is not a URL');
  }
  if (url.username || url.password) throw new RecordingRefused('the recording URL carries credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0) throw new RecordingRefused('the recording host does not resolve');
  const type = (family: number): 'ipv4' | 'ipv6' => (family === 6 ? 'ipv6' : 'ipv4');
  const allLoopback = addresses.every((a) => LOOPBACK.check(a.address, type(a.family)));
  if (allowLoopback && allLoopback && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
  if (url.protocol !== 'https:') throw new RecordingRefused('the recording URL is not https');
  if (addresses.some((a) => PRIVATE.check(a.address, type(a.family)))) throw new RecordingRefused('the recording host is a private address');
  return url;
}

function contentTypeOf(header: string | null, url: URL): string | null {
  const base = header?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (CONTENT_TYPES[base]) return CONTENT_TYPES[base] as string;
  const ext = /\.([a-z0-9]+)$/i.exec(url.pathname)?.[1]?.toLowerCase();
  return ext ? (BY_EXTENSION[ext] ?? null) : null;
}

/** Streams the body up to maxBytes (more: refused without reading on). */
async function download(outbound: Outbound, url: URL, maxBytes: number): Promise<{ bytes: Buffer; contentType: string }> {
  let res: Response;
  try {
    res = await outbound.fetch(url);
  } catch (err) {
    // The guard re-checks the address it connects to (no DNS rebinding between the check
    // above and the download) and enforces the time limit.
    if (err instanceof OutboundRefusedError) throw new RecordingRefused('the recording host is a private address');
    if (err instanceof OutboundResponseTooLargeError) throw new RecordingRefused(`the recording is larger than ${maxBytes} bytes`);
    throw err;
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    throw new RecordingRefused('the recording URL redirects');
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`the recording URL answered ${res.status}`);
  }
  const contentType = contentTypeOf(res.headers.get('content-type'), url);
  if (!contentType) {
    await res.body.cancel().catch(() => undefined);
    throw new RecordingRefused('the recording is not audio');
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body.cancel().catch(() => undefined);
    throw new RecordingRefused(`the recording is larger than ${maxBytes} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += (chunk as Uint8Array).byteLength;
      if (size > maxBytes) throw new RecordingRefused(`the recording is larger than ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (err) {
    if (err instanceof OutboundResponseTooLargeError) throw new RecordingRefused(`the recording is larger than ${maxBytes} bytes`);
    throw err;
  }
  if (size === 0) throw new Error('the recording is empty');
  return { bytes: Buffer.concat(chunks), contentType };
}

export function createRecordingService(deps: {
  db: TenantDb;
  audit: AuditLog;
  keyring: Keyring;
  vapi: VapiApi | null;
  deletions: VapiDeletionProducer;
  log: Logger;
  allowLoopback: boolean;
  maxBytes?: number;
  timeoutMs?: number;
}) {
  async function queueDeletion(orgId: string, callId: string, reason: 'recording_stored' | 'no_recording'): Promise<void> {
    await deps.db.withTenantTx(orgId, (tx) => recordCallDeletion(tx, orgId, callId, reason));
    await deps.deletions.enqueue(orgId, [callId]);
  }

  // Every download goes through the outbound guard (server/core/outbound.ts), with the
  // recording's own caps; the size cap also holds for bodies without a Content-Length.
  const maxBytes = deps.maxBytes ?? MAX_RECORDING_BYTES;
  const outbound = createOutbound({ allowLoopback: deps.allowLoopback, timeoutMs: deps.timeoutMs ?? RECORDING_FETCH_TIMEOUT_MS, maxResponseBytes: maxBytes + 1 });

  return {
    /** Releases the guard's connections (worker shutdown). */
    close: (): Promise<void> => outbound.close(),

    /** recording-fetch: store the recording (with consent) and then delete the call at Vapi. */
    async fetch(orgId: string, interviewId: string): Promise<'stored' | 'no_consent' | 'refused' | 'skipped'> {
      const row = await deps.db.withTenant(orgId, (q) => findInterview(q, interviewId));
      if (!row || !row.vapi_call_id || row.status !== 'ended' || !row.transcript_enc) return 'skipped';
      const callId = row.vapi_call_id;
      if (row.recording_consent !== true) {
        await queueDeletion(orgId, callId, 'no_recording');
        return 'no_consent';
      }
      if (!deps.vapi) throw new Error('Vapi is not configured in this worker');
      const call = await deps.vapi.getCall(callId);
      if (!call.recordingRef) {
        deps.log.warn({ orgId, interviewId }, 'the ended call has no recording at Vapi');
        await queueDeletion(orgId, callId, 'no_recording');
        return 'skipped';
      }
      let audio: { bytes: Buffer; contentType: string };
      try {
        const url = await checkRecordingUrl(call.recordingRef, deps.allowLoopback);
        audio = await download(outbound, url, maxBytes);
      } catch (err) {
        if (!(err instanceof RecordingRefused)) throw err; // network or 5xx: BullMQ retries
        // Kept nowhere: a refused recording is not fetched, and Vapi's copy goes as promised.
        await deps.db.withTenantTx(orgId, (tx) =>
          deps.audit.recordIn(tx, orgId, { action: 'interview.recording_refused', actor: { type: 'system' }, target: { type: 'interview', id: interviewId }, metadata: { callId, reason: err.message } }),
        );
        await queueDeletion(orgId, callId, 'no_recording');
        return 'refused';
      }
      await deps.db.withTenantTx(orgId, async (tx) => {
        const cipher = await deps.keyring.candidateCipher(tx, orgId, row.candidate_id);
        const sealed = cipher.seal('interview_recordings', 'bytes_enc', interviewId, audio.bytes);
        if (await insertRecording(tx, { orgId, interviewId, callId, contentType: audio.contentType, size: audio.bytes.length, sealed })) {
          await deps.audit.recordIn(tx, orgId, {
            action: 'interview.recording_stored',
            actor: { type: 'system' },
            target: { type: 'interview', id: interviewId },
            metadata: { callId, bytes: audio.bytes.length, contentType: audio.contentType },
          });
        }
        await recordCallDeletion(tx, orgId, callId, 'recording_stored');
      });
      await deps.deletions.enqueue(orgId, [callId]);
      return 'stored';
    },
  };
}

export type RecordingService = ReturnType<typeof createRecordingService>;

import type { CryptoBackend } from '../backend/types.js';
import { cpFail, parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { cosignatureTime, cosignatureVerifier } from './cosignature.js';
import { mlDsaCosignatureTime, mlDsaCosignatureVerifier } from './cosignature-mldsa.js';
import { SignetError } from '../primitives/errors.js';
import {
  ed25519NoteVerifier,
  NOTE_SIG_COSIGNATURE_MLDSA44,
  NOTE_SIG_COSIGNATURE_V1,
  NOTE_SIG_ED25519,
  openNote,
  parseSignedNote,
  parseVerifierKey,
  type NoteVerifier,
} from './note.js';

/**
 * Checking a signed checkpoint: the log's note signature, its origin, and a quorum of witness
 * cosignatures of either type (Ed25519 `cosignature/v1` or ML-DSA-44). It sits above both cosigner
 * modules, which themselves only need the checkpoint text (checkpoint.ts).
 */

/** A witness cosignature that verified. */
export interface WitnessCosignature {
  readonly name: string;
  /** The witness's timestamp, POSIX seconds. */
  readonly time: number;
}

/** What a checkpoint is checked against. */
export interface CheckpointPolicy {
  /** The log's verifier: a C2SP verifier key string, or a prepared note verifier. */
  readonly log: string | NoteVerifier;
  /** The origin the checkpoint must name; defaults to the log key's name. */
  readonly origin?: string;
  /** Trusted witnesses: verifier keys of type 0x04 (Ed25519) or 0x06 (ML-DSA-44), or prepared verifiers. */
  readonly witnesses?: readonly (string | NoteVerifier)[];
  /** How many distinct trusted witnesses must have cosigned (k of n). Default 0. */
  readonly quorum?: number;
  /** Reject cosignatures timestamped further in the future than this (seconds, default 600). */
  readonly maxFutureSeconds?: number;
  /** Clock in milliseconds. */
  readonly now?: () => number;
}

/** A checkpoint whose log signature (and witness quorum, when asked) verified. */
export interface VerifiedCheckpoint extends Checkpoint {
  /** The signed note exactly as given. */
  readonly note: string;
  /** The note text (the checkpoint body). */
  readonly text: string;
  readonly cosignatures: readonly WitnessCosignature[];
}

/** Turns a verifier key string into a note verifier of the right type. */
export function noteVerifierFromKey(
  backend: CryptoBackend,
  key: string | NoteVerifier,
  expectType?: number | readonly number[],
): NoteVerifier {
  if (typeof key !== 'string') return key;
  const parsed = parseVerifierKey(backend, key);
  const allowed = expectType === undefined ? undefined : typeof expectType === 'number' ? [expectType] : expectType;
  if (allowed !== undefined && !allowed.includes(parsed.type)) {
    throw new SignetError(
      'SIGNET_E_KEY_INVALID',
      `The key ${parsed.name} has signature type ${parsed.type}, expected ${allowed.join(' or ')}.`,
    );
  }
  if (parsed.type === NOTE_SIG_COSIGNATURE_V1) return cosignatureVerifier(backend, parsed.name, parsed.publicKey);
  if (parsed.type === NOTE_SIG_COSIGNATURE_MLDSA44) return mlDsaCosignatureVerifier(backend, parsed.name, parsed.publicKey);
  return ed25519NoteVerifier(backend, parsed.name, parsed.publicKey);
}

/**
 * Verifies a signed checkpoint: the log's Ed25519 note signature, the origin, the body's syntax,
 * and a k-of-n quorum of witness cosignatures. Unknown signatures are ignored; any known key whose
 * signature fails rejects the checkpoint. Throws `SIGNET_E_LOG_CHECKPOINT_INVALID` or
 * `SIGNET_E_LOG_WITNESS_QUORUM`.
 */
export function verifyCheckpoint(backend: CryptoBackend, note: string | Uint8Array, policy: CheckpointPolicy): VerifiedCheckpoint {
  const logVerifier = noteVerifierFromKey(backend, policy.log, NOTE_SIG_ED25519);
  const witnesses = (policy.witnesses ?? []).map((w) =>
    noteVerifierFromKey(backend, w, [NOTE_SIG_COSIGNATURE_V1, NOTE_SIG_COSIGNATURE_MLDSA44]),
  );
  const quorum = policy.quorum ?? 0;
  if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > witnesses.length) {
    throw new SignetError(
      'SIGNET_E_CONFIG_INVALID',
      `The witness quorum ${quorum} is not between 0 and the ${witnesses.length} witnesses configured.`,
    );
  }
  const parsed = parseSignedNote(note);
  const opened = openNote(parsed, [logVerifier, ...witnesses]);
  if (!opened.verified.some((v) => v.verifier === logVerifier))
    cpFail('The checkpoint is not signed by the log key.', "Check that you use the log's verifier key (`signet log key`).");
  const cp = parseCheckpoint(opened.text);
  const origin = policy.origin ?? logVerifier.name;
  if (cp.origin !== origin)
    cpFail(`The checkpoint is for origin ${JSON.stringify(cp.origin.slice(0, 200))}, not ${JSON.stringify(origin)}.`);
  const nowSeconds = Math.floor((policy.now ?? Date.now)() / 1000);
  const maxFuture = policy.maxFutureSeconds ?? 600;
  const cosignatures: WitnessCosignature[] = [];
  for (const v of opened.verified) {
    if (v.verifier === logVerifier) continue;
    const time = (cosignatureTime(v.signature) ?? mlDsaCosignatureTime(v.signature)) as number;
    if (time > nowSeconds + maxFuture) cpFail(`The cosignature by ${v.verifier.name} is timestamped in the future.`);
    cosignatures.push({ name: v.verifier.name, time });
  }
  if (cosignatures.length < quorum) {
    throw new SignetError(
      'SIGNET_E_LOG_WITNESS_QUORUM',
      `${cosignatures.length} of the required ${quorum} trusted witnesses cosigned the checkpoint.`,
      {
        hint: 'Wait for the witnesses to cosign, or check the witness keys you trust.',
      },
    );
  }
  const note_ = typeof note === 'string' ? note : new TextDecoder().decode(note);
  return { ...cp, note: note_, text: opened.text, cosignatures };
}

import type { CryptoBackend } from './backend/types.js';
import { cosignatureTime, cosignatureVerifier } from './cosignature.js';
import { mlDsaCosignatureTime, mlDsaCosignatureVerifier } from './cosignature-mldsa.js';
import { SignetError } from './errors.js';
import {
  assertNoteText,
  ed25519NoteVerifier,
  fromBase64,
  NOTE_SIG_COSIGNATURE_MLDSA44,
  NOTE_SIG_COSIGNATURE_V1,
  NOTE_SIG_ED25519,
  openNote,
  parseSignedNote,
  parseVerifierKey,
  signNote,
  toBase64,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';

/**
 * Checkpoints (c2sp.org/tlog-checkpoint): the note text `<origin>\n<tree size>\n<base64 root>\n`
 * plus optional extension lines, signed as a C2SP signed note by the log and, optionally,
 * cosigned by witnesses (c2sp.org/tlog-cosignature).
 */

/** A log's tree head as a checkpoint states it. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  /** RFC 9162 root hash, 32 bytes. */
  readonly root: Uint8Array;
  /** Optional extension lines (not recommended by the spec; kept opaque). */
  readonly extensions: readonly string[];
}

function cpFail(message: string, hint?: string): never {
  throw new SignetError('SIGNET_E_LOG_CHECKPOINT_INVALID', message, hint === undefined ? {} : { hint });
}

/** The checkpoint note text (with its final newline). */
export function formatCheckpoint(cp: Checkpoint): string {
  if (typeof cp.origin !== 'string' || cp.origin.length === 0 || cp.origin.includes('\n')) throw new TypeError('invalid checkpoint origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new RangeError('invalid tree size');
  if (!(cp.root instanceof Uint8Array) || cp.root.length !== 32) throw new TypeError('a root hash is 32 bytes');
  for (const e of cp.extensions) if (e.length === 0 || e.includes('\n')) throw new TypeError('extension lines are non-empty single lines');
  const text = [cp.origin, String(cp.size), toBase64(cp.root), ...cp.extensions].join('\n') + '\n';
  assertNoteText(text);
  return text;
}

/** Parses a checkpoint note text strictly: decimal size without leading zeros, canonical 32-byte root. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) cpFail('The checkpoint text does not end with a newline.');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) cpFail('A checkpoint has at least three lines: origin, size, root.');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) cpFail('The checkpoint origin is empty.');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) cpFail('The tree size is not a decimal number without leading zeros.');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) cpFail('The tree size is too large.');
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    return cpFail('The root hash is not canonical base64.');
  }
  if (root.length !== 32) cpFail('The root hash is not 32 bytes.');
  if (extensions.some((e) => e.length === 0)) cpFail('Extension lines must be non-empty.');
  return { origin, size, root, extensions };
}

/** Signs a checkpoint as a note: the log's signature first, then any others. */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

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

import { SignetError } from '../primitives/errors.js';
import { assertNoteText, fromBase64, signNote, toBase64, type NoteSigner } from './note.js';

/**
 * Checkpoints (c2sp.org/tlog-checkpoint): the note text `<origin>\n<tree size>\n<base64 root>\n`
 * plus optional extension lines, signed as a C2SP signed note by the log and, optionally,
 * cosigned by witnesses (c2sp.org/tlog-cosignature).
 *
 * This module holds the checkpoint text only, so that cosigners can parse what they sign;
 * checking a signed checkpoint against a log key and witnesses is in checkpoint-verify.ts.
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

/** Throws the checkpoint parse failure. Not exported from the package. */
export function cpFail(message: string, hint?: string): never {
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

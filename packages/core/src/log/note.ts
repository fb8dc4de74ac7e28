import type { CryptoBackend } from '../backend/types.js';
import { concatBytes, fromUtf8, toHex, utf8 } from '../primitives/bytes.js';
import { assertStrongPublicKey, KEY_LENGTH, strictVerifier, verifyStrict } from '../primitives/ed25519.js';
import { SignetError } from '../primitives/errors.js';

/**
 * C2SP signed notes (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, then
 * one or more signature lines `— <key name> base64(key ID || signature)`.
 *
 * The key ID is the first four bytes of SHA-256(key name || 0x0A || signature type || public key).
 * Verifiers identify keys by the pair (name, key ID), ignore signatures from keys they do not know,
 * reject the whole note when a known key's signature fails, and reject it when no known key signed.
 */

/** Signature type byte of plain Ed25519 note signatures. */
export const NOTE_SIG_ED25519 = 0x01;
/** Signature type byte of timestamped Ed25519 witness cosignatures (c2sp.org/tlog-cosignature). */
export const NOTE_SIG_COSIGNATURE_V1 = 0x04;
/** Signature type byte of ML-DSA-44 subtree cosignatures (c2sp.org/tlog-cosignature). */
export const NOTE_SIG_COSIGNATURE_MLDSA44 = 0x06;
/** Length of an ML-DSA-44 public key. */
export const MLDSA44_PUBLIC_KEY_LENGTH = 1312;

/** Upper bounds applied to notes from outside: the spec asks verifiers to bound signatures. */
export const NOTE_LIMITS = { maxBytes: 1 << 20, maxSignatures: 100, maxKeyName: 256 } as const;

const EM_DASH_PREFIX = '\u2014 ';

/** One signature line of a note, not yet verified. */
export interface NoteSignature {
  readonly name: string;
  /** The 32-bit key ID, as an unsigned number. */
  readonly keyId: number;
  /** The signature bytes after the key ID. */
  readonly signature: Uint8Array;
}

/** A note split into its text and its signature lines (nothing verified yet). */
export interface ParsedNote {
  /** The note text, including its final newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Something that signs note texts under a key name. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** Returns the signature bytes (without the key ID) over the note text. */
  sign(text: Uint8Array): Uint8Array;
}

/** Something that verifies one key's note signatures. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** The signature type byte (0x01 Ed25519, 0x04 cosignature). */
  readonly type: number;
  readonly publicKey: Uint8Array;
  /** True when `signature` (the bytes after the key ID) is valid over the note text. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * A verifier key decoded from its text form `<name>+<hex key ID>+<base64(type || public key)>`.
 * Types 0x01 and 0x04 carry 32-byte Ed25519 keys, type 0x06 a 1312-byte ML-DSA-44 key.
 */
export interface VerifierKey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

function noteFail(message: string, hint?: string): never {
  throw new SignetError('SIGNET_E_LOG_CHECKPOINT_INVALID', message, hint === undefined ? {} : { hint });
}

/** Standard base64 with padding (RFC 4648 section 4), as signed notes use. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary);
}

/**
 * Strict standard base64: padding required, no whitespace, and only the one canonical encoding of
 * each byte string (so a note cannot be altered by re-encoding a signature). Throws TypeError.
 */
export function fromBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new TypeError('invalid base64');
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new TypeError('invalid base64');
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  if (toBase64(out) !== text) throw new TypeError('non-canonical base64');
  return out;
}

/** True for a valid key name: non-empty, bounded, no Unicode spaces, no `+`, no control characters. */
export function isValidKeyName(name: string): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > NOTE_LIMITS.maxKeyName) return false;
  // \s covers the Unicode space separators as well as ASCII whitespace.
  return !/[\s+\u0000-\u001f\u007f]/u.test(name);
}

/** The 32-bit key ID of a key: SHA-256(name || 0x0A || type || public key)[:4], big-endian. */
export function noteKeyId(backend: CryptoBackend, name: string, type: number, publicKey: Uint8Array): number {
  const digest = backend.sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, type), publicKey));
  return (((digest[0] as number) << 24) | ((digest[1] as number) << 16) | ((digest[2] as number) << 8) | (digest[3] as number)) >>> 0;
}

function keyIdBytes(keyId: number): Uint8Array {
  return Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff);
}

function hex8(keyId: number): string {
  return toHex(keyIdBytes(keyId));
}

/** Encodes a verifier key in the C2SP text form. */
export function formatVerifierKey(backend: CryptoBackend, name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new TypeError('invalid note key name');
  return `${name}+${hex8(noteKeyId(backend, name, type, publicKey))}+${toBase64(concatBytes(Uint8Array.of(type), publicKey))}`;
}

/**
 * Decodes a verifier key `<name>+<hex key ID>+<base64(type || public key)>`. The key ID must be the
 * one the name, type and key hash to. Accepted: Ed25519 notes (0x01) and cosignatures (0x04) with
 * 32-byte keys, ML-DSA-44 cosignatures (0x06) with 1312-byte keys.
 */
export function parseVerifierKey(backend: CryptoBackend, text: string): VerifierKey {
  const fail = (why: string): never => {
    throw new SignetError('SIGNET_E_KEY_INVALID', `The verifier key is malformed: ${why}.`, {
      hint: 'A note verifier key looks like example.com/log+1a2b3c4d+AaBb...',
    });
  };
  if (typeof text !== 'string' || text.length > 4096) fail('not a short string');
  const trimmed = text.trim();
  // Two keys people hand over by mistake get their own message, and are never echoed.
  if (trimmed.startsWith('PRIVATE+KEY+'))
    throw new SignetError('SIGNET_E_KEY_INVALID', "This is a log's private signer key, not its verifier key.", {
      hint: 'Give the verifier key (`signet log key --log LOG` prints it), and keep the private key secret.',
    });
  if (trimmed.startsWith('{'))
    throw new SignetError('SIGNET_E_KEY_INVALID', 'This is a JSON key (a JWK or JWKS), not a log verifier key.', {
      hint: 'A log verifier key is one line like example.com/log+1a2b3c4d+AaBb...; `signet log key --log LOG` prints it.',
    });
  const parts = trimmed.split('+');
  // The base64 part may itself contain '+': the name and the key ID never do.
  if (parts.length < 3) fail('expected name+keyid+key');
  const name = parts[0] as string;
  const idHex = parts[1] as string;
  const b64 = parts.slice(2).join('+');
  if (!isValidKeyName(name)) fail('bad key name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) fail('the key ID is not 8 lowercase hex digits');
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    return fail('the key is not base64');
  }
  const type = raw[0];
  if (type !== NOTE_SIG_ED25519 && type !== NOTE_SIG_COSIGNATURE_V1 && type !== NOTE_SIG_COSIGNATURE_MLDSA44)
    fail('unsupported signature type');
  const publicKey = raw.subarray(1);
  const mlDsa = type === NOTE_SIG_COSIGNATURE_MLDSA44;
  if (publicKey.length !== (mlDsa ? MLDSA44_PUBLIC_KEY_LENGTH : KEY_LENGTH))
    fail(mlDsa ? 'an ML-DSA-44 key is 1312 bytes' : 'an Ed25519 key is 32 bytes');
  const keyId = noteKeyId(backend, name, type as number, publicKey);
  if (hex8(keyId) !== idHex) fail('the key ID does not match the key');
  // A small-order key would accept forged signatures: never trust one (SIGNET_E_KEY_WEAK).
  if (!mlDsa) assertStrongPublicKey(publicKey);
  return { name, keyId, type: type as number, publicKey: Uint8Array.from(publicKey) };
}

/** A verifier of plain Ed25519 note signatures (type 0x01), with strict RFC 8032 checks. */
export function ed25519NoteVerifier(backend: CryptoBackend, name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new TypeError('invalid note key name');
  // Refuses small-order keys: under one, note signatures could be forged without any secret.
  const verify = strictVerifier(backend, publicKey);
  return {
    name,
    keyId: noteKeyId(backend, name, NOTE_SIG_ED25519, publicKey),
    type: NOTE_SIG_ED25519,
    publicKey,
    verify: (text, signature) => verifyStrict(verify, signature, text),
  };
}

/** A signer of plain Ed25519 note signatures from a 32-byte seed. */
export function ed25519NoteSigner(backend: CryptoBackend, name: string, seed: Uint8Array): NoteSigner & { readonly publicKey: Uint8Array } {
  if (!isValidKeyName(name)) throw new TypeError('invalid note key name');
  const publicKey = backend.ed25519PublicKey(seed);
  const sign = backend.ed25519Signer(seed);
  return { name, keyId: noteKeyId(backend, name, NOTE_SIG_ED25519, publicKey), publicKey, sign };
}

function checkNoteCharacters(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) noteFail('The note contains a control character.');
  }
}

/** Parses a signed note (text or UTF-8 bytes) with the spec's rules and bounded sizes. Verifies nothing. */
export function parseSignedNote(input: string | Uint8Array): ParsedNote {
  let note: string;
  if (typeof input === 'string') note = input;
  else {
    if (input.length > NOTE_LIMITS.maxBytes) noteFail('The note is too large.');
    try {
      note = fromUtf8(input);
    } catch {
      return noteFail('The note is not valid UTF-8.');
    }
  }
  if (note.length > NOTE_LIMITS.maxBytes) noteFail('The note is too large.');
  checkNoteCharacters(note);
  // The text ends at the last blank line: the signature block is everything after it.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) noteFail('The note has no signature block (no blank line).');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) noteFail('The note does not end with a newline.');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > NOTE_LIMITS.maxSignatures) noteFail(`The note has more than ${NOTE_LIMITS.maxSignatures} signatures.`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_PREFIX)) noteFail('A signature line does not start with an em dash and a space.');
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space <= 0 || rest.indexOf(' ', space + 1) >= 0) noteFail('A signature line is not "— <name> <signature>".');
    const name = rest.slice(0, space);
    if (!isValidKeyName(name)) noteFail('A signature line has an invalid key name.');
    let raw: Uint8Array;
    try {
      raw = fromBase64(rest.slice(space + 1));
    } catch {
      return noteFail('A signature is not canonical base64.');
    }
    if (raw.length < 5) noteFail('A signature is too short.');
    const keyId = (((raw[0] as number) << 24) | ((raw[1] as number) << 16) | ((raw[2] as number) << 8) | (raw[3] as number)) >>> 0;
    signatures.push({ name, keyId, signature: raw.slice(4) });
  }
  return { text, signatures };
}

/** Checks a note text before signing: non-empty, ends with a newline, no control characters. */
export function assertNoteText(text: string): void {
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n'))
    throw new TypeError('a note text is non-empty and ends with a newline');
  if (text.includes('\n\n') || text.startsWith('\n')) throw new TypeError('this note text must not contain blank lines');
  checkNoteCharacters(text);
}

/** Formats one signature line. */
export function formatNoteSignature(name: string, keyId: number, signature: Uint8Array): string {
  return `${EM_DASH_PREFIX}${name} ${toBase64(concatBytes(keyIdBytes(keyId), signature))}\n`;
}

/** Signs a note text with one or more signers and returns the signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  assertNoteText(text);
  if (signers.length === 0) throw new TypeError('signNote needs at least one signer');
  const bytes = utf8(text);
  return `${text}\n${signers.map((s) => formatNoteSignature(s.name, s.keyId, s.sign(bytes))).join('')}`;
}

/** Adds a signature line to an already signed note (a witness adds its cosignature this way). */
export function addNoteSignature(note: string, signer: NoteSigner): string {
  const parsed = parseSignedNote(note);
  return `${note}${formatNoteSignature(signer.name, signer.keyId, signer.sign(utf8(parsed.text)))}`;
}

/** A signature that verified, with the verifier that accepted it. */
export interface VerifiedNoteSignature {
  readonly verifier: NoteVerifier;
  readonly signature: Uint8Array;
}

/** A note whose signatures were checked. */
export interface OpenedNote {
  readonly text: string;
  /** Signatures from known keys, all valid. */
  readonly verified: readonly VerifiedNoteSignature[];
}

/**
 * Verifies a signed note against known keys, as the spec requires: signatures from unknown keys are
 * ignored (even when they share a name or a key ID, but not both, with a known key), a known key's
 * invalid signature rejects the whole note, and a note that no known key signed is rejected.
 * Throws `SIGNET_E_LOG_CHECKPOINT_INVALID`.
 */
export function openNote(note: string | Uint8Array | ParsedNote, verifiers: readonly NoteVerifier[]): OpenedNote {
  const parsed = typeof note === 'object' && !(note instanceof Uint8Array) ? note : parseSignedNote(note);
  const textBytes = utf8(parsed.text);
  const verified: VerifiedNoteSignature[] = [];
  const seen = new Set<NoteVerifier>();
  for (const sig of parsed.signatures) {
    const verifier = verifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (verifier === undefined) continue;
    if (!verifier.verify(textBytes, sig.signature)) {
      noteFail(
        `The signature by ${sig.name} does not verify.`,
        'The note was altered, or signed by another key with the same name and key ID.',
      );
    }
    if (!seen.has(verifier)) {
      seen.add(verifier);
      verified.push({ verifier, signature: sig.signature });
    }
  }
  if (verified.length === 0) noteFail('No trusted key signed this note.', "Check that you use the log's verifier key (`signet log key`).");
  return { text: parsed.text, verified };
}

import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVerifierKey,
  fromBase64,
  getDefaultBackend,
  isValidKeyName,
  noteKeyId,
  NOTE_SIG_ED25519,
  SignetError,
  toBase64,
  toHex,
  type CryptoBackend,
  type NoteSigner,
  type NoteVerifier,
} from '@signet/core';

/**
 * The log's own Ed25519 key. It signs checkpoints (as a C2SP note key) and receipts (COSE), under
 * the key name = the log's origin. Both uses share one key safely: a note text is UTF-8 and can
 * never start with 0x84, the first byte of every COSE Sig_structure, so the two message sets are
 * disjoint.
 *
 * On disk the key is one line in the C2SP signer-key form
 * `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`, in a file of mode 0600.
 */
export class LogKey {
  readonly name: string;
  readonly publicKey: Uint8Array;
  readonly keyId: number;
  /** The verifier key in the C2SP note format: what `signet log key` prints. */
  readonly verifierKey: string;
  readonly noteSigner: NoteSigner;
  readonly noteVerifier: NoteVerifier;
  readonly #seed: Uint8Array;
  readonly #sign: (message: Uint8Array) => Uint8Array;

  constructor(name: string, seed: Uint8Array, backend: CryptoBackend = getDefaultBackend()) {
    if (!isValidKeyName(name))
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'The log origin is not a valid key name.', {
        hint: 'Use a schema-less URL without spaces or "+", for example logs.example.com/signet.',
      });
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new SignetError('SIGNET_E_KEY_INVALID', 'A log key seed is 32 bytes.');
    this.#seed = Uint8Array.from(seed);
    const signer = ed25519NoteSigner(backend, name, this.#seed);
    this.name = name;
    this.publicKey = signer.publicKey;
    this.keyId = signer.keyId;
    this.noteSigner = signer;
    this.#sign = backend.ed25519Signer(this.#seed);
    this.noteVerifier = ed25519NoteVerifier(backend, name, this.publicKey);
    this.verifierKey = formatVerifierKey(backend, name, NOTE_SIG_ED25519, this.publicKey);
  }

  /** A fresh random key for a log named `origin`. */
  static generate(origin: string, backend: CryptoBackend = getDefaultBackend()): LogKey {
    return new LogKey(origin, backend.randomBytes(32), backend);
  }

  /** Parses the signer-key text form. Errors never echo the text (it is secret). */
  static parse(text: string, backend: CryptoBackend = getDefaultBackend()): LogKey {
    const fail = (): never => {
      throw new SignetError('SIGNET_E_KEY_INVALID', 'The log key file is not a C2SP signer key (PRIVATE+KEY+<name>+<id>+<key>).');
    };
    const parts = text.trim().split('+');
    if (parts.length < 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') fail();
    const name = parts[2] as string;
    const idHex = parts[3] as string;
    let raw: Uint8Array;
    try {
      raw = fromBase64(parts.slice(4).join('+'));
    } catch {
      return fail();
    }
    if (raw.length !== 33 || raw[0] !== NOTE_SIG_ED25519 || !isValidKeyName(name)) fail();
    const key = new LogKey(name, raw.subarray(1), backend);
    raw.fill(0);
    if (toHex(Uint8Array.of(key.keyId >>> 24, (key.keyId >>> 16) & 0xff, (key.keyId >>> 8) & 0xff, key.keyId & 0xff)) !== idHex) fail();
    return key;
  }

  /** The secret text form. Write it only to a 0600 file (see {@link saveLogKey}). */
  toSignerKey(): string {
    const id = toHex(Uint8Array.of(this.keyId >>> 24, (this.keyId >>> 16) & 0xff, (this.keyId >>> 8) & 0xff, this.keyId & 0xff));
    return `PRIVATE+KEY+${this.name}+${id}+${toBase64(Uint8Array.of(NOTE_SIG_ED25519, ...this.#seed))}`;
  }

  /** Raw Ed25519 signature (for COSE receipts). */
  sign(message: Uint8Array): Uint8Array {
    return this.#sign(message);
  }

  /** Never print the seed. */
  toJSON(): { name: string; verifierKey: string } {
    return { name: this.name, verifierKey: this.verifierKey };
  }
}

/** Checks that a key ID belongs to a name and public key (used when reading stored metadata). */
export function keyIdMatches(backend: CryptoBackend, name: string, publicKey: Uint8Array, keyId: number): boolean {
  return noteKeyId(backend, name, NOTE_SIG_ED25519, publicKey) === keyId;
}

/** Loads a log key file; refuses files readable by group or others. */
export function loadLogKey(path: string, backend: CryptoBackend = getDefaultBackend()): LogKey {
  let text: string;
  try {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0 && process.platform !== 'win32') {
      throw new SignetError('SIGNET_E_KEY_FILE', `The log key file ${path} is readable by other users.`, {
        hint: `Run: chmod 600 ${path}`,
      });
    }
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    if (cause instanceof SignetError) throw cause;
    throw new SignetError('SIGNET_E_KEY_FILE', `Cannot read the log key file ${path}.`, { hint: 'Create one with `signet log init`.' });
  }
  return LogKey.parse(text, backend);
}

/** Writes a log key file with mode 0600. Refuses to overwrite an existing file. */
export function saveLogKey(path: string, key: LogKey): void {
  if (existsSync(path)) throw new SignetError('SIGNET_E_KEY_FILE', `The log key file ${path} already exists; refusing to overwrite it.`);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${key.toSignerKey()}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `Cannot write the log key file ${path}.`, { cause: (cause as NodeJS.ErrnoException).code });
  }
}

/**
 * A crypto backend: the few primitives Signet needs. Two ship: `noble` (portable, audited pure
 * JavaScript; browsers and edge runtimes) and `node` (node:crypto, OpenSSL; faster on Node).
 * Both must give identical bytes and verdicts; the test suite checks that on every vector.
 *
 * Backends do raw primitives only. The strict RFC 8032 checks that make both backends agree
 * (canonical S, canonical point encodings) live in `ed25519.ts`, above the backend.
 */
export interface CryptoBackend {
  /** A short name for reports and benchmarks: `noble` or `node`. */
  readonly name: string;
  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Uint8Array;
  /**
   * Optional: SHA-256 of the UTF-8 encoding of `text` (a lone surrogate encodes as U+FFFD, as
   * TextEncoder does). Lets a backend hash text without first copying it into bytes.
   */
  sha256Utf8?(text: string): Uint8Array;
  /** An incremental SHA-256, for bytes that arrive in pieces (a stream hashed as it passes). */
  sha256Hasher(): Sha256Hasher;
  /** HMAC-SHA-256 (RFC 2104). */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
  /** The Ed25519 public key (32 bytes) of a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /**
   * Prepares a signing function for one seed. Backends may cache key objects in the closure,
   * which is why signing goes through a prepared function rather than a (seed, message) call.
   */
  ed25519Signer(seed: Uint8Array): (message: Uint8Array) => Uint8Array;
  /** Prepares a verification function for one public key. Returns false, never throws, on a bad signature. */
  ed25519Verifier(publicKey: Uint8Array): (signature: Uint8Array, message: Uint8Array) => boolean;
}

/** An incremental SHA-256. */
export interface Sha256Hasher {
  update(data: Uint8Array): void;
  /** The digest of everything given so far; the hasher is spent afterwards. */
  digest(): Uint8Array;
}

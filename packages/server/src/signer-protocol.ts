/**
 * The wire protocol between a serving process and its signer process (see external-signer.ts and
 * signer-worker.ts). Frames over a Unix socket: u32be length of the rest, u8 type, body.
 *
 *   HELLO      0x01  (empty)                         -> HELLO_OK 0x81  u8 alg (1 = Ed25519), 32-byte public key
 *   SIGN       0x02  u32 batch, u16 n, n × (u32 len, bytes) -> SIGNED 0x82  u32 batch, u16 n, n × 64-byte signature
 *                                                    -> REFUSED 0x83 u32 batch, u8 reason
 *
 * One SIGN frame carries a whole batch: one system call and one wake-up for many signatures, which
 * is what keeps an out-of-process key from becoming the bottleneck.
 */

export const FRAME = { hello: 0x01, sign: 0x02, helloOk: 0x81, signed: 0x82, refused: 0x83 } as const;

/** Largest frame either side accepts. */
export const MAX_FRAME = 8 * 1024 * 1024;
/** Largest message the signer signs (envelopes are capped at 16 KiB). */
export const MAX_MESSAGE = 64 * 1024;
/** Most messages in one batch. */
export const MAX_BATCH = 4096;

/** Refusal reasons. */
export const REFUSAL = { malformed: 1, notSignet: 2, tooLarge: 3 } as const;

/** Encodes a frame. */
export function frame(type: number, body: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out.writeUInt32BE(body.length + 1, 0);
  out[4] = type;
  out.set(body, 5);
  return out;
}

/** Splits a byte stream into frames. Throws on an oversized frame (the connection is then closed). */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { type: number; body: Buffer }[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: { type: number; body: Buffer }[] = [];
    for (;;) {
      if (this.#buf.length < 4) break;
      const len = this.#buf.readUInt32BE(0);
      if (len < 1 || len > MAX_FRAME) throw new RangeError('bad frame length');
      if (this.#buf.length < 4 + len) break;
      out.push({ type: this.#buf[4] as number, body: this.#buf.subarray(5, 4 + len) });
      this.#buf = this.#buf.subarray(4 + len);
    }
    return out;
  }
}

/**
 * The signer signs Signet's two signing inputs only: a COSE Sig_structure (CBOR array of 4 starting
 * with "Signature1") or a JWS signing input (base64url "." base64url). It is not a general-purpose
 * Ed25519 oracle for whatever else the serving process might want signed with the seal key.
 */
export function isSignetSigningInput(m: Uint8Array): boolean {
  if (m.length >= 12 && m[0] === 0x84 && m[1] === 0x6a && Buffer.from(m.subarray(2, 12)).toString('latin1') === 'Signature1') return true;
  let dots = 0;
  for (let i = 0; i < m.length; i++) {
    const c = m[i] as number;
    if (c === 0x2e) dots++;
    else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f)) return false;
  }
  return dots === 1 && m.length > 2;
}

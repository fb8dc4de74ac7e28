import { SignetError } from './errors.js';

/**
 * Reading an HTTP body with a byte cap. The cap is applied to the bytes as they arrive from the
 * body stream, which `fetch` has already decompressed: a small gzip body that inflates to gigabytes
 * is stopped at the cap, not after it has been held in memory. A `Content-Length` over the cap is
 * refused before reading (it counts the encoded bytes, so it is only an early exit, never the check).
 */

/**
 * Reads a response body to its end, refusing more than `maxBytes` (after decompression) with
 * `SIGNET_E_PARSE_TOO_LARGE`. The read is cancelled as soon as the cap is passed. `what` names the
 * body in the error message (for example "the JWKS").
 */
export async function readBodyBounded(res: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError('maxBytes must be a whole number of bytes');
  const tooLarge = (): SignetError =>
    new SignetError('SIGNET_E_PARSE_TOO_LARGE', `${what} is larger than ${maxBytes} bytes.`, {
      hint: 'The server sent more than any valid answer needs; it may be misconfigured or hostile.',
    });
  const declared = res.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const body = res.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

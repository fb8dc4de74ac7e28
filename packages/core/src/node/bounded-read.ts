import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reading files and streams with a byte cap applied while reading. Reading everything and then
 * checking the size lets `/dev/zero`, a FIFO or a huge file grow the process to gigabytes before the
 * check runs; here at most `maxBytes + 1` bytes are ever read, whatever the source is.
 */

/** Input that is larger than its cap. Exit code 2 (unreadable input), with a stable code in the message. */
export class InputTooLargeError extends Error {
  override readonly name = 'InputTooLargeError';
  readonly code = 'SIGNET_E_PARSE_TOO_LARGE';
  constructor(
    readonly source: string,
    readonly maxBytes: number,
  ) {
    super(`${source} is larger than ${maxBytes} bytes (SIGNET_E_PARSE_TOO_LARGE)`);
  }
}

const CHUNK = 64 * 1024;

function join(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/**
 * Reads a file of at most `maxBytes`. Works for any file kind (regular, device, FIFO) because it
 * never trusts a size from `stat`: it reads chunks and stops one byte past the cap. Errors from the
 * file system (missing file, no permission) are thrown as they are, for the caller to word.
 */
export function readFileBounded(path: string, maxBytes: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(CHUNK, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new InputTooLargeError(path, maxBytes);
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    return join(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads an async byte stream (standard input) of at most `maxBytes`, stopping at the first chunk
 * past the cap. `stop` is called then, so the source can be released (for example `destroy`).
 */
export async function readStreamBounded(
  source: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
  what: string,
  stop?: () => void,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of source) {
    const bytes = typeof c === 'string' ? new TextEncoder().encode(c) : c;
    total += bytes.length;
    if (total > maxBytes) {
      stop?.();
      throw new InputTooLargeError(what, maxBytes);
    }
    chunks.push(bytes);
  }
  return join(chunks, total);
}

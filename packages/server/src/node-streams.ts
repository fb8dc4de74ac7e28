import type { Readable } from 'node:stream';

/**
 * Node readable to Web ReadableStream, lighter than `Readable.toWeb`: one chunk per pull, the source
 * paused in between (backpressure), and a source that closes before its end reported as an error.
 */
export function nodeToWebStream(source: Readable, onCancel: () => void): ReadableStream<Uint8Array> {
  let done = false;
  let failed: unknown;
  let wake: (() => void) | undefined;
  let cancelled = false;
  const queue: Uint8Array[] = [];
  source.on('data', (chunk: Buffer) => {
    // After a cancel, whatever still arrives is drained and dropped.
    if (cancelled) return;
    queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    source.pause();
    wake?.();
  });
  source.on('end', () => {
    done = true;
    wake?.();
  });
  source.on('error', (e) => {
    failed = e;
    wake?.();
  });
  source.on('close', () => {
    // A connection that closes before `end` is a broken body, not a finished one.
    if (!done && failed === undefined) failed = new Error('the upstream connection closed mid-body');
    wake?.();
  });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          controller.enqueue(next);
          if (queue.length === 0) source.resume();
          return;
        }
        if (done) {
          controller.close();
          return;
        }
        if (failed !== undefined) {
          controller.error(failed);
          return;
        }
        source.resume();
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    cancel() {
      cancelled = true;
      queue.length = 0;
      source.resume();
      onCancel();
    },
  });
}

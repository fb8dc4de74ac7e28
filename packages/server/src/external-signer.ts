import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { equalBytes, jwkThumbprint, SignetError } from '@signet/core';
import type { ExternalSigner } from './signer.js';
import { FRAME, FrameReader, frame, MAX_BATCH, MAX_MESSAGE } from './signer-protocol.js';

/**
 * The serving side of an out-of-process signer: an {@link ExternalSigner} whose private key lives in
 * another process (see signer-worker.ts), reached over a Unix socket.
 *
 * - Batching: `sign` calls made in the same tick go out together, in frames of up to `maxBatch`;
 *   a full frame leaves at once, so the signer process works while this one prepares more.
 * - Restarts: when the connection drops, batches in flight go back to the queue and are re-sent
 *   after reconnecting (Ed25519 is deterministic, so a resent message gets the same signature).
 *   Callers just wait, up to `timeoutMs`.
 * - Fail closed: on every (re)connection the signer must present the expected public key; a signer
 *   with another key gets nothing to sign, and pending calls fail with SIGNET_E_SIG_FAILED.
 */

/** Options of {@link connectExternalSigner}. */
export interface ExternalSignerOptions {
  readonly socketPath: string;
  /** The public key the signer must hold. Without it, the key of the first connection is pinned. */
  readonly publicKey?: Uint8Array;
  /**
   * Most messages per frame (default 32). A full batch leaves at once, so under load several frames
   * are in flight: the signer process signs one while this process prepares the next.
   */
  readonly maxBatch?: number;
  /** A sign call fails after this long without a signature (default 10 s). */
  readonly timeoutMs?: number;
  /** Delay before reconnecting, doubled up to 1 s (default 20 ms). */
  readonly reconnectDelayMs?: number;
}

/** An external signer backed by a signer process. */
export interface SocketSigner extends ExternalSigner {
  /** Closes the connection; pending calls fail. */
  close(): void;
  /** Counters: batches sent, messages signed, reconnections. */
  stats(): { batches: number; signed: number; reconnects: number };
}

interface Pending {
  message: Uint8Array;
  resolve: (sig: Uint8Array) => void;
  reject: (e: unknown) => void;
  deadline: number;
}

/** Connects to a signer process. Resolves once the signer has shown its public key. */
export async function connectExternalSigner(options: ExternalSignerOptions): Promise<SocketSigner> {
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 32, MAX_BATCH));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const baseDelay = options.reconnectDelayMs ?? 20;
  let pinned = options.publicKey === undefined ? undefined : Uint8Array.from(options.publicKey);
  let socket: Socket | undefined;
  let ready = false;
  let closed = false;
  let delay = baseDelay;
  let nextBatch = 1;
  let flushScheduled = false;
  const queue: Pending[] = [];
  const inflight = new Map<number, Pending[]>();
  const stats = { batches: 0, signed: 0, reconnects: 0 };
  let firstHello: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const helloDone = new Promise<void>((resolve, reject) => {
    firstHello = { resolve, reject };
  });

  const failAll = (error: SignetError): void => {
    for (const items of inflight.values()) for (const p of items) p.reject(error);
    inflight.clear();
    for (const p of queue.splice(0)) p.reject(error);
  };

  const flush = (): void => {
    flushScheduled = false;
    if (!ready || socket === undefined) return;
    while (queue.length > 0) {
      const items = queue.splice(0, maxBatch);
      let size = 6;
      for (const p of items) size += 4 + p.message.length;
      const body = Buffer.allocUnsafe(size);
      const id = nextBatch;
      nextBatch = nextBatch === 0xffffffff ? 1 : nextBatch + 1;
      body.writeUInt32BE(id, 0);
      body.writeUInt16BE(items.length, 4);
      let o = 6;
      for (const p of items) {
        body.writeUInt32BE(p.message.length, o);
        body.set(p.message, o + 4);
        o += 4 + p.message.length;
      }
      inflight.set(id, items);
      stats.batches++;
      socket.write(frame(FRAME.sign, body));
    }
  };

  const schedule = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    // Calls made in the same tick share one frame.
    queueMicrotask(flush);
  };

  const onFrame = (type: number, body: Buffer): void => {
    if (type === FRAME.helloOk) {
      const key = body.subarray(1, 33);
      if (body.length !== 33 || body[0] !== 1) {
        socket?.destroy();
        return;
      }
      if (pinned === undefined) pinned = Uint8Array.from(key);
      if (!equalBytes(pinned, key)) {
        const error = new SignetError('SIGNET_E_SIG_FAILED', 'The signer process holds another key than the one expected.', {
          hint: 'Point the signer at the right key, or update the expected public key.',
        });
        failAll(error);
        firstHello?.reject(error);
        closed = true;
        socket?.destroy();
        return;
      }
      ready = true;
      delay = baseDelay;
      firstHello?.resolve();
      firstHello = undefined;
      schedule();
      return;
    }
    if (body.length < 4) return;
    const id = body.readUInt32BE(0);
    const items = inflight.get(id);
    if (items === undefined) return;
    inflight.delete(id);
    if (type === FRAME.refused) {
      const error = new SignetError('SIGNET_E_SIG_FAILED', `The signer process refused the batch (reason ${body[4] ?? 0}).`);
      for (const p of items) p.reject(error);
      return;
    }
    if (type !== FRAME.signed || body.length !== 6 + 64 * items.length || body.readUInt16BE(4) !== items.length) {
      socket?.destroy();
      return;
    }
    for (let i = 0; i < items.length; i++) {
      (items[i] as Pending).resolve(new Uint8Array(body.buffer, body.byteOffset + 6 + 64 * i, 64));
    }
    stats.signed += items.length;
  };

  const open = (): void => {
    if (closed) return;
    const s = connect(options.socketPath);
    socket = s;
    ready = false;
    const reader = new FrameReader();
    s.on('connect', () => s.write(frame(FRAME.hello)));
    s.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch {
        s.destroy();
        return;
      }
      for (const f of frames) onFrame(f.type, f.body);
    });
    s.on('error', () => {
      // 'close' follows and reconnects.
    });
    s.on('close', () => {
      if (socket === s) {
        socket = undefined;
        ready = false;
      }
      // In-flight batches were not answered: back to the front of the queue, in order.
      const back = [...inflight.values()].flat();
      inflight.clear();
      queue.unshift(...back);
      if (closed) return;
      stats.reconnects++;
      setTimeout(open, delay).unref();
      delay = Math.min(delay * 2, 1000);
    });
  };

  // Expire waiting calls; runs only while something waits.
  const sweeper = setInterval(
    () => {
      const t = Date.now();
      const expired = (p: Pending): boolean => p.deadline <= t;
      const error = new SignetError('SIGNET_E_SIG_FAILED', 'The signer process did not answer in time.', {
        hint: 'Check that the signer process is running and its socket path is right.',
      });
      for (let i = queue.length - 1; i >= 0; i--) {
        const p = queue[i] as Pending;
        if (expired(p)) {
          queue.splice(i, 1);
          p.reject(error);
        }
      }
      for (const [id, items] of inflight) {
        if (items.some(expired)) {
          inflight.delete(id);
          for (const p of items) p.reject(error);
        }
      }
    },
    Math.min(1000, Math.max(50, timeoutMs / 4)),
  );
  sweeper.unref();

  open();
  const firstTimeout = setTimeout(
    () =>
      firstHello?.reject(
        new SignetError('SIGNET_E_SIG_FAILED', 'The signer process did not answer.', { hint: `Is it listening on ${options.socketPath}?` }),
      ),
    timeoutMs,
  );
  firstTimeout.unref();
  try {
    await helloDone;
  } catch (e) {
    closed = true;
    clearInterval(sweeper);
    socket?.destroy();
    throw e;
  } finally {
    clearTimeout(firstTimeout);
  }
  const publicKey = pinned as Uint8Array;
  const kid = jwkThumbprint(publicKey);

  return {
    kid,
    publicKey,
    sign(message) {
      if (closed) return Promise.reject(new SignetError('SIGNET_E_SIG_FAILED', 'The external signer was closed.'));
      if (!(message instanceof Uint8Array) || message.length > MAX_MESSAGE)
        return Promise.reject(new RangeError('message too large for the external signer'));
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ message, resolve, reject, deadline: Date.now() + timeoutMs });
        if (queue.length >= maxBatch && ready) flush();
        else schedule();
      });
    },
    close() {
      closed = true;
      clearInterval(sweeper);
      socket?.destroy();
      failAll(new SignetError('SIGNET_E_SIG_FAILED', 'The external signer was closed.'));
    },
    stats: () => ({ ...stats }),
  };
}

/** Where the built signer-worker.js is (next to this module, or in dist/ when running from sources). */
export function signerWorkerPath(): string {
  const here = fileURLToPath(new URL('./signer-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../dist/signer-worker.js', import.meta.url));
}

/**
 * Starts a signer process as a child: it reads the key itself, so the key never enters this
 * process. Resolves when the child is listening.
 */
export async function spawnSignerWorker(options: {
  keyPath: string;
  socketPath: string;
  timeoutMs?: number;
}): Promise<ChildProcess & { kid: string }> {
  const child = spawn(process.execPath, [signerWorkerPath(), '--key', options.keyPath, '--socket', options.socketPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new SignetError('SIGNET_E_SIG_FAILED', 'The signer process did not start in time.'));
    }, options.timeoutMs ?? 10_000);
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString('utf8');
    });
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /^ready (\S+)\n/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(Object.assign(child, { kid: m[1] as string }));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new SignetError('SIGNET_E_SIG_FAILED', `The signer process exited (${code ?? 'signal'}): ${err.trim().slice(0, 300)}`));
    });
  });
}

import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { SigningKey } from '@signet/core';
import { loadSigningKey } from './keyfile.js';
import { FRAME, FrameReader, frame, isSignetSigningInput, MAX_BATCH, MAX_MESSAGE, REFUSAL } from './signer-protocol.js';

/**
 * The signer process: holds the private key, listens on a Unix socket (mode 0600), signs batches.
 * The serving process connects with `connectExternalSigner` and never sees the key.
 *
 * Run it as its own service (`node signer-worker.js --key FILE --socket PATH`, for example under
 * systemd as a dedicated user), or let `spawnSignerWorker` start it as a child process.
 */

/** Options of {@link startSignerWorker}. */
export interface SignerWorkerOptions {
  /** The key, or the path of its private JWK / keys directory (read here, in the signer process). */
  readonly key: SigningKey | string;
  /** The Unix socket path. A stale socket file there is replaced. */
  readonly socketPath: string;
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there.
  }
}

function handle(socket: Socket, key: SigningKey): void {
  const reader = new FrameReader();
  socket.on('data', (chunk: Buffer) => {
    let frames;
    try {
      frames = reader.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const f of frames) {
      if (f.type === FRAME.hello) {
        const body = new Uint8Array(33);
        body[0] = 1;
        body.set(key.publicKey, 1);
        socket.write(frame(FRAME.helloOk, body));
        continue;
      }
      if (f.type !== FRAME.sign || f.body.length < 6) {
        socket.destroy();
        return;
      }
      const batch = f.body.readUInt32BE(0);
      const n = f.body.readUInt16BE(4);
      const refuse = (reason: number): void => {
        const b = Buffer.alloc(5);
        b.writeUInt32BE(batch, 0);
        b[4] = reason;
        socket.write(frame(FRAME.refused, b));
      };
      if (n === 0 || n > MAX_BATCH) {
        refuse(REFUSAL.malformed);
        continue;
      }
      // Parse the whole batch before signing any of it: a malformed batch signs nothing.
      const messages: Uint8Array[] = [];
      let o = 6;
      let reason = 0;
      for (let i = 0; i < n; i++) {
        if (o + 4 > f.body.length) {
          reason = REFUSAL.malformed;
          break;
        }
        const len = f.body.readUInt32BE(o);
        o += 4;
        if (len > MAX_MESSAGE) {
          reason = REFUSAL.tooLarge;
          break;
        }
        if (o + len > f.body.length) {
          reason = REFUSAL.malformed;
          break;
        }
        const m = f.body.subarray(o, o + len);
        o += len;
        if (!isSignetSigningInput(m)) {
          reason = REFUSAL.notSignet;
          break;
        }
        messages.push(m);
      }
      if (reason === 0 && o !== f.body.length) reason = REFUSAL.malformed;
      if (reason !== 0) {
        refuse(reason);
        continue;
      }
      const out = Buffer.allocUnsafe(6 + 64 * n);
      out.writeUInt32BE(batch, 0);
      out.writeUInt16BE(n, 4);
      for (let i = 0; i < n; i++) out.set(key.sign(messages[i] as Uint8Array), 6 + 64 * i);
      socket.write(frame(FRAME.signed, out));
    }
  });
  socket.on('error', () => socket.destroy());
}

/** Starts a signer on a Unix socket. Resolves once it listens. */
export async function startSignerWorker(options: SignerWorkerOptions): Promise<Server & { kid: string }> {
  const key = typeof options.key === 'string' ? loadSigningKey(options.key) : options.key;
  removeStaleSocket(options.socketPath);
  const server = createServer((socket) => handle(socket, key));
  // The socket is created owner-only (umask), not restricted after the fact: no window in which
  // another local user could connect. chmod then makes it explicit whatever the platform did.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(options.socketPath, 0o600);
  return Object.assign(server, { kid: key.kid });
}

async function main(argv: readonly string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const keyPath = arg('key');
  const socketPath = arg('socket');
  if (keyPath === undefined || socketPath === undefined) {
    process.stderr.write('usage: signer-worker --key FILE|DIR --socket PATH\n');
    process.exit(2);
  }
  let server;
  try {
    server = await startSignerWorker({ key: keyPath, socketPath });
  } catch (e) {
    // The error names a code and a path, never key material.
    process.stderr.write(`signer-worker: ${(e as { code?: string }).code ?? 'error'}: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const stop = (): void => {
    server.close();
    removeStaleSocket(socketPath);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Tells a parent (spawnSignerWorker) that the socket is ready.
  process.stdout.write(`ready ${server.kid}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2));
}

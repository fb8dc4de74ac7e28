import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignetError } from '@signet/core';

/** Where a command writes: injectable so tests can run commands in process. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input. */
  stdin: () => Promise<Uint8Array>;
  env: Record<string, string | undefined>;
}

/** The process's own streams. */
export function processIO(): CommandIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const all = Buffer.concat(chunks);
      return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
    },
    env: process.env,
  };
}

/** Reads a file, or stdin for `-`, as bytes. Unreadable input is exit code 2 (see bin.ts). */
export async function readInput(io: CommandIO, path: string, maxBytes = 64 * 1024 * 1024): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (path === '-') bytes = await io.stdin();
  else {
    try {
      bytes = readFileSync(path);
    } catch (cause) {
      throw new InputError(`cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (bytes.length > maxBytes) throw new InputError(`${path} is larger than ${maxBytes} bytes`);
  return bytes;
}

/** Reads a UTF-8 text file (or stdin). */
export async function readText(io: CommandIO, path: string, maxBytes?: number): Promise<string> {
  const bytes = await readInput(io, path, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${path} is not valid UTF-8`);
  }
}

/** Reads and parses a JSON file. */
export async function readJson(io: CommandIO, path: string, maxBytes?: number): Promise<unknown> {
  const text = await readText(io, path, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${path} is not valid JSON`);
  }
}

/** Input that could not be read or parsed: exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Writes a secret file with mode 0600 (created so, then enforced in case it existed). */
export function writeSecretFile(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, data, { mode: 0o600 });
    chmodSync(path, 0o600);
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `cannot write ${path}`, { cause });
  }
}

/** Writes a public file (mode 0644). */
export function writePublicFile(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data, { mode: 0o644 });
}

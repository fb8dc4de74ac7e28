import { writePrivateFiles, type MovedAside } from '@signet/server';
import { describeFileError, FileWriteError, writePublicFile as writePublic } from '@signet/core/node-fs';
import { InputTooLargeError, readFileBounded, readStreamBounded } from '@signet/audit';

/** Where a command writes: injectable so tests can run commands in process. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Reads all of standard input, at most `maxBytes` of it: a reader that honours the cap stops as
   * soon as it is passed (the caller checks the length again for readers that do not).
   */
  stdin: (maxBytes?: number) => Promise<Uint8Array>;
  /** Standard input as a stream, for inputs too large to hold (a dataset). Default: read via `stdin`. */
  stdinStream?: () => AsyncIterable<Uint8Array>;
  env: Record<string, string | undefined>;
}

/** The process's own streams. */
export function processIO(): CommandIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: (maxBytes = DEFAULT_MAX_INPUT_BYTES) =>
      readStreamBounded(process.stdin as AsyncIterable<Uint8Array>, maxBytes, 'standard input', () => process.stdin.destroy()),
    stdinStream: () => process.stdin as AsyncIterable<Uint8Array>,
    env: process.env,
  };
}

/** The cap of {@link readInput} when a command names none. */
export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Reads a file, or stdin for `-`, as bytes, never more than `maxBytes` (the cap is applied while
 * reading, so `/dev/zero` fails at once). Every file a command reads goes through here or
 * `readTextFile` (`@signet/core/node-fs`). Unreadable or oversized input is exit code 2 (see main.ts).
 */
export async function readInput(io: CommandIO, path: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = path === '-' ? await io.stdin(maxBytes) : readFileBounded(path, maxBytes);
  } catch (cause) {
    if (cause instanceof InputTooLargeError) throw new InputError(cause.message);
    throw new InputError(path === '-' ? 'cannot read standard input' : describeFileError(path, cause));
  }
  if (bytes.length > maxBytes) throw new InputError(`${path} is larger than ${maxBytes} bytes (SIGNET_E_PARSE_TOO_LARGE)`);
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

/**
 * Writes private files (keys, secrets) with mode 0600, never over existing ones: without `force`
 * an existing file is refused; with it, the old file is moved aside and `onMoved` says where.
 */
export function writePrivate(files: readonly { path: string; data: string | Uint8Array }[], force: boolean, io: CommandIO): MovedAside[] {
  const moved = writePrivateFiles(files, { force });
  for (const m of moved) io.stderr(`moved the old ${m.path} aside to ${m.movedTo}\n`);
  return moved;
}

/** Writes a public file (mode 0644); a failure is an {@link InputError} saying why. */
export function writePublicFile(path: string, data: string | Uint8Array): void {
  try {
    writePublic(path, data);
  } catch (e) {
    throw e instanceof FileWriteError ? new InputError(e.message) : e;
  }
}

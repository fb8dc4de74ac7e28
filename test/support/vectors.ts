import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Locates the public conformance vectors. They live next to the repository (`../shared/vectors`
 * from the repository root) and are read at test time, never copied into the project.
 *
 * Under CI (`CI=true`) a missing folder is an error: a conformance suite that silently runs no
 * cases proves nothing. Elsewhere the suite is skipped with a message naming the folder.
 */

/** The repository root (the folder holding pnpm-workspace.yaml). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared vectors root: `<repo>/../shared/vectors`, or SIGNET_VECTORS_DIR when set. */
export const vectorsRoot: string = process.env.SIGNET_VECTORS_DIR ?? resolve(repoRoot, '..', 'shared', 'vectors');

/** True when running under CI. */
export const inCI: boolean = process.env.CI === 'true' || process.env.CI === '1';

/** What {@link findVectors} found. */
export type VectorLookup =
  { readonly found: true; readonly dir: string } | { readonly found: false; readonly dir: string; readonly reason: string };

/**
 * Looks up a vectors folder (or file) below the shared root. Throws under CI when it is missing;
 * otherwise reports it missing so the suite can skip, and prints which folder it looked for.
 */
export function findVectors(relative: string): VectorLookup {
  const dir = join(vectorsRoot, relative);
  if (existsSync(dir)) return { found: true, dir };
  const reason = `conformance vectors not found at ${dir} (expected ../shared/vectors/${relative} next to the repository)`;
  if (inCI) throw new Error(`${reason}; CI must run every conformance suite`);
  console.warn(`SKIPPED: ${reason}`);
  return { found: false, dir, reason };
}

/** Reads and parses a JSON file. */
export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The regular files of a folder, sorted by name, as absolute paths. */
export function listFiles(dir: string, suffix = ''): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix) && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => join(dir, name));
}

/** Hex (either case) to bytes, for vector files. */
export function hex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new TypeError(`bad hex in vector: ${text.slice(0, 16)}`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

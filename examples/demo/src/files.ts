import { readFileSync } from 'node:fs';

/** Reads a file the demo itself wrote (or a report it had made) as UTF-8 text. */
export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

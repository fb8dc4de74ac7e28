#!/usr/bin/env node
// The `signet` executable: the compiled CLI. A checkout that was not built says so plainly.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('signet: the command line is not built yet; run `pnpm build` in the repository first.\n');
  process.exit(2);
}
await import(entry.href);

// The test command: type-check and build every package, then run the whole suite with vitest, then
// print one closing line "N passed, N failed, N skipped". Exit code: vitest's (non-zero on any failure).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;

if (run('pnpm', ['run', '--silent', 'build']) !== 0) process.exit(1);
if (run('pnpm', ['exec', 'tsc', '-p', 'test', '--noEmit']) !== 0) process.exit(1);

const dir = mkdtempSync(join(tmpdir(), 'signet-test-'));
const report = join(dir, 'vitest.json');
const code = run('pnpm', [
  'exec',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
let summary = 'tests: no report was written';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A test file that fails before any of its tests runs counts as one failure, so the line never
  // reads "0 failed" for a run that failed.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  summary = `${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed, ${skipped} skipped`;
  if (r.numTotalTests === 0) summary = '0 passed, 0 failed';
} catch {
  // Reported below as a failure: vitest did not finish.
}
rmSync(dir, { recursive: true, force: true });
console.log(summary);
process.exit(code);

// Prints the top self-time frames of the newest .cpuprofile in a folder: node bench/profile-top.mjs DIR [N]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Prints the top self-time frames of the newest .cpuprofile in `dir`. */
function topFrames(dir, n = 25) {
  const file =
    process.argv[4] ??
    readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .pop();
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const self = new Map();
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const dt = prof.timeDeltas;
  const counts = new Map();
  prof.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
  let total = 0;
  for (const [id, t] of counts) {
    const nd = byId.get(id);
    const cf = nd.callFrame;
    const name = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + t);
    total += t;
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

console.log(topFrames(process.argv[2], Number(process.argv[3] ?? 25)).join('\n'));

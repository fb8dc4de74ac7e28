// Prints the top frames of a .cpuprofile: node bench/profile-top.mjs DIR [N] [FILE] [--inclusive]
// Self time by default (where the CPU is); with --inclusive, the time under each frame (what a call
// costs with everything it calls), as a share of the non-idle time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const inclusive = process.argv.includes('--inclusive');

function load(dir, file) {
  const name =
    file ??
    readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .pop();
  return JSON.parse(readFileSync(join(dir, name), 'utf8'));
}

const label = (node) => {
  const cf = node.callFrame;
  return `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
};

/** Time spent in each frame (self), or under it (inclusive, each sample counted once per frame). */
function frames(prof, withCallees) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sampled = new Map();
  prof.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const out = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, t] of sampled) {
    total += t;
    if (byId.get(id).callFrame.functionName === '(idle)') idle += t;
    if (!withCallees) {
      const k = label(byId.get(id));
      out.set(k, (out.get(k) ?? 0) + t);
      continue;
    }
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur));
      if (seen.has(k) || k.startsWith('(root)')) continue;
      seen.add(k);
      out.set(k, (out.get(k) ?? 0) + t);
    }
  }
  return { out, base: withCallees ? total - idle : total };
}

const { out, base } = frames(load(args[0], args[2]), inclusive);
console.log(
  [...out.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(args[1] ?? 25))
    .map(([k, v]) => `${((100 * v) / base).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n'),
);

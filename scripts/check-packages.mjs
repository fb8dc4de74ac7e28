// Checks the packages the way a user receives them. Packs every published package (pnpm pack, which
// applies publishConfig and replaces workspace ranges), then for each tarball: publint (package.json
// against the files shipped) and arethetypeswrong (types resolve for ESM consumers). Then installs
// every tarball into a fresh temporary project, type-checks a TypeScript file that imports each
// public entry, runs it as ESM, and runs the installed `signet` binary.
// Needs a build (`pnpm run build`). Exit code 0 only when every check passes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Every package that is published, in the order of its dependencies. */
export const PUBLISHED = [
  'packages/core',
  'packages/verify',
  'packages/verify-page',
  'packages/server',
  'packages/log',
  'packages/registry',
  'packages/audit',
  'examples/demo',
  'packages/cli',
];

const bin = (name) => join(root, 'node_modules', '.bin', name);
const failures = [];
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
function check(what, r) {
  if (r.code === 0) console.log(`ok   ${what}`);
  else {
    console.log(`FAIL ${what}\n${r.out.trim()}`);
    failures.push(what);
  }
}

const work = mkdtempSync(join(tmpdir(), 'signet-packages-'));
try {
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  const tarballs = new Map();
  for (const dir of PUBLISHED) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const before = new Set(readdirSync(packs));
    const r = run('pnpm', ['pack', '--pack-destination', packs], { cwd: join(root, dir) });
    check(`pack ${manifest.name}`, r);
    const made = readdirSync(packs).find((f) => !before.has(f));
    if (made === undefined) continue;
    const tgz = join(packs, made);
    tarballs.set(manifest.name, { tgz, manifest });
    const unpacked = join(work, 'unpacked', made.replace(/\.tgz$/, ''));
    mkdirSync(unpacked, { recursive: true });
    run('tar', ['xzf', tgz, '-C', unpacked]);
    const pkgDir = join(unpacked, 'package');
    const shipped = run('tar', ['tzf', tgz]).out.split('\n').filter(Boolean);
    const stray = shipped.filter((f) => /\.test\.|(^|\/)src\/|\.ts$/.test(f) && !f.endsWith('.d.ts'));
    check(`${manifest.name} ships no tests or TypeScript sources`, { code: stray.length === 0 ? 0 : 1, out: stray.join('\n') });
    const hasFiles = ['package/LICENSE', 'package/README.md'].filter((f) => !shipped.includes(f));
    check(`${manifest.name} ships LICENSE and README.md`, { code: hasFiles.length === 0 ? 0 : 1, out: `missing: ${hasFiles.join(', ')}` });
    const packed = readFileSync(join(pkgDir, 'package.json'), 'utf8');
    check(`${manifest.name} has no "source" condition`, {
      code: packed.includes('"source"') ? 1 : 0,
      out: 'package.json still names ./src',
    });
    const pj = JSON.parse(packed);
    const heavy = ['openai', 'hono'].filter((d) => pj.dependencies?.[d] !== undefined);
    check(`${manifest.name} has no openai or hono runtime dependency`, { code: heavy.length === 0 ? 0 : 1, out: heavy.join(', ') });
    const meta = ['repository', 'engines', 'sideEffects', 'license', 'files'].filter((k) => pj[k] === undefined);
    check(`${manifest.name} has repository, engines, sideEffects, license and files`, {
      code: meta.length === 0 ? 0 : 1,
      out: `missing: ${meta.join(', ')}`,
    });
    check(`publint ${manifest.name}`, run(bin('publint'), ['--strict', '--pack', 'false', pkgDir]));
    check(`attw ${manifest.name}`, run(bin('attw'), [tgz, '--profile', 'esm-only', '--format', 'table-flipped']));
  }

  // A consumer project: every tarball, installed the way a user installs them.
  const app = join(work, 'consumer');
  mkdirSync(app);
  const deps = Object.fromEntries([...tarballs].map(([name, t]) => [name, `file:${t.tgz}`]));
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'signet-consumer',
        private: true,
        type: 'module',
        // hono: the optional peer whose types @signet/server's Hono middleware names. No openai: the CLI
        // must install and run without it.
        dependencies: { ...deps, hono: '^4' },
        devDependencies: {
          typescript: rootManifest.devDependencies.typescript,
          '@types/node': rootManifest.devDependencies['@types/node'],
        },
      },
      null,
      2,
    ),
  );
  // The tarballs depend on each other by version; these are not on a registry yet.
  writeFileSync(
    join(app, 'pnpm-workspace.yaml'),
    `allowBuilds:\n  better-sqlite3: true\noverrides:\n${Object.entries(deps)
      .map(([n, s]) => `  '${n}': '${s}'\n`)
      .join('')}`,
  );
  const lines = [];
  const names = [];
  let i = 0;
  for (const [name, { manifest }] of tarballs) {
    for (const sub of Object.keys(manifest.publishConfig?.exports ?? manifest.exports ?? {})) {
      const spec = sub === '.' ? name : `${name}${sub.slice(1)}`;
      lines.push(`import * as m${i} from '${spec}';`);
      names.push([`m${i}`, spec]);
      i++;
    }
  }
  lines.push(
    `const entries: Array<[Record<string, unknown>, string]> = [${names.map(([m, s]) => `[${m}, '${s}']`).join(', ')}];`,
    `for (const [m, spec] of entries) if (Object.keys(m).length === 0) throw new Error(spec + ' exports nothing');`,
    `console.log('imported ' + String(entries.length) + ' entries');`,
  );
  writeFileSync(join(app, 'main.ts'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: false,
        types: ['node'],
        outDir: 'out',
      },
      files: ['main.ts'],
    }),
  );
  const env = { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' };
  check('install the tarballs into a fresh project', run('pnpm', ['install', '--prefer-offline'], { cwd: app, env }));
  check('type-check a file importing every public entry', run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', app]));
  check('run it as ESM on Node', run(process.execPath, [join(app, 'out', 'main.js')], { cwd: app }));
  check('the installed signet binary runs', run(join(app, 'node_modules', '.bin', 'signet'), ['--help'], { cwd: app }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.log(`${failures.length} packaging check(s) failed`);
  process.exit(1);
}
console.log('all packaging checks passed');

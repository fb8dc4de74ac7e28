import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layout rules of docs/architecture.md that a linter does not check: no import circles inside
 * a package, no source file over 400 lines, and a CLI small enough to be only a shell.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sourceRoots = ['packages', 'examples'].flatMap((top) =>
  readdirSync(join(root, top))
    .map((name) => join(root, top, name, 'src'))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    }),
);

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const isTest = (f: string): boolean => f.endsWith('.test.ts');
const lines = (f: string): number => readFileSync(f, 'utf8').split('\n').length - 1;

/** Relative imports of a file (static `import ... from './x.js'` and `export ... from`), resolved to .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
    const spec = m[1] as string;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** The import circles of a set of files (each as a list of files), by depth-first search. */
function circles(files: string[]): string[][] {
  const known = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((g) => known.has(g))]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') found.push(stack.slice(stack.indexOf(g)).concat(g));
      else if (state.get(g) === undefined) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (state.get(f) === undefined) visit(f);
  return found;
}

describe('layout', () => {
  it('finds the packages it checks', () => {
    expect(sourceRoots.length).toBeGreaterThanOrEqual(7);
  });

  for (const dir of sourceRoots) {
    const name = relative(root, dir);
    const sources = walk(dir).filter((f) => !isTest(f));

    it(`${name}: no import circles (value imports)`, () => {
      const found = circles(sources).map((c) => c.map((f) => relative(root, f)).join(' -> '));
      expect(found).toEqual([]);
    });

    it(`${name}: no source file over 400 lines`, () => {
      const long = sources.filter((f) => lines(f) > 400).map((f) => `${relative(root, f)}: ${lines(f)} lines`);
      expect(long).toEqual([]);
    });
  }

  // Issue 10: the CLI parses, calls one library function and prints; its logic lives in the packages.
  it('the CLI is a thin shell: packages/cli/src holds at most 2,500 lines of source', () => {
    const total = walk(join(root, 'packages', 'cli', 'src'))
      .filter((f) => !isTest(f))
      .reduce((n, f) => n + lines(f), 0);
    expect(total).toBeLessThanOrEqual(2500);
  });

  it("every CLI command's help is generated from its flag spec (no hand-written usage text)", () => {
    const handWritten = walk(join(root, 'packages', 'cli', 'src', 'commands'))
      .filter((f) => !isTest(f) && /\busage:\s*`/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(handWritten).toEqual([]);
  });

  it('the circle finder finds a circle (so a pass means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-layout-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = a;\n");
      writeFileSync(join(dir, 'c.ts'), "import type { a } from './a.js';\nexport type C = typeof a;\n");
      const found = circles([join(dir, 'a.ts'), join(dir, 'b.ts'), join(dir, 'c.ts')]);
      expect(found.map((c) => c.map((f) => f.slice(dir.length + 1)))).toEqual([['a.ts', 'b.ts', 'a.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { defineConfig } from 'vitest/config';

// Tests resolve workspace packages to their TypeScript sources (the "source" export condition), so a
// test never runs against a stale build. The CLI end-to-end tests run the built binary instead.
export default defineConfig({
  // No 'import' here: vitest hands these conditions to Node, and Node's own require() would then
  // pick the ESM entry of CommonJS packages' dependencies (pg requiring pg-pool) and break them.
  // Vite adds 'import' or 'require' per import kind by itself.
  resolve: { conditions: ['source', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'node', 'default'], externalConditions: ['source', 'node', 'default'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});

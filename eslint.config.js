import tseslint from 'typescript-eslint';

/**
 * Package boundaries (docs/architecture.md): core <- verify, server, log; log <- registry; all <- cli.
 * A package may import only the packages below it, never another package's files by relative path,
 * and the runtime-neutral packages (core, verify) no Node built-ins outside their Node-only modules.
 */
const PACKAGES = ['core', 'verify', 'verify-page', 'server', 'log', 'registry', 'audit', 'cli'];
// The demo (examples/demo) is a script over the public APIs, outside this rule's folders.
const NAME = {
  core: '@signet/core',
  verify: '@signet/verify',
  'verify-page': '@signet/verify-page',
  server: '@signet/server',
  log: '@signet/log',
  registry: '@signet/registry',
  audit: '@signet/audit',
  cli: 'signet',
};
const ALLOWED = {
  core: [],
  verify: ['core'],
  'verify-page': ['core', 'verify'],
  server: ['core'],
  log: ['core'],
  registry: ['core', 'log'],
  audit: ['core', 'verify'],
  cli: ['core', 'verify', 'verify-page', 'server', 'log', 'registry', 'audit'],
};
/** Another package's sources reached by a relative path (`../../verify/src/...`). */
const crossPackagePath = {
  regex: `^(\\.\\./)+(packages/)?(${PACKAGES.join('|')})/src(/|$)`,
  message: 'Import another package through its public exports, never its files.',
};
const nodeBuiltins = {
  regex: '^node:',
  message: 'This package runs in browsers and edge runtimes: no Node built-ins here (use a Node-only module).',
};

function boundary(pkg) {
  const forbidden = PACKAGES.filter((p) => p !== pkg && !ALLOWED[pkg].includes(p)).map((p) => NAME[p]);
  const patterns = [
    crossPackagePath,
    ...forbidden.map((name) => ({
      group: [name, `${name}/*`],
      message: `${NAME[pkg]} may not depend on ${name} (see docs/architecture.md).`,
    })),
  ];
  return {
    files: [`packages/${pkg}/src/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'docs/vectors/**', 'docs/api/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  // Type-aware rules where a forgotten promise is a bug: library and CLI sources.
  {
    files: ['packages/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  ...PACKAGES.map(boundary),
  {
    files: ['packages/core/src/**/*.ts', 'packages/verify/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/core/src/backend/node.ts', 'packages/core/src/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            crossPackagePath,
            nodeBuiltins,
            ...PACKAGES.filter((p) => p !== 'core').map((p) => ({
              group: [NAME[p], `${NAME[p]}/*`],
              message: 'core and verify depend on nothing above them.',
            })),
          ].filter((p, i, all) => all.indexOf(p) === i),
        },
      ],
    },
  },
  // The verifier page runs in browsers; only its Node helpers (src/node, `@signet/verify-page/node`) use Node.
  {
    files: ['packages/verify-page/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/verify-page/src/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            crossPackagePath,
            nodeBuiltins,
            ...PACKAGES.filter((p) => !['core', 'verify', 'verify-page'].includes(p)).map((p) => ({
              group: [NAME[p], `${NAME[p]}/*`],
              message: '@signet/verify-page depends on core and verify only.',
            })),
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)packages/[^/]+/src(/|$)', message: 'Tests use the packages through their public exports.' }] },
      ],
    },
  },
  {
    files: ['test/**', '**/*.test.ts', 'bench/**', 'scripts/**', 'docs/examples/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

// Writes the configuration table of `signet gateway` (every flag, with its config key, environment
// variable and default, from the command's flag spec) into docs/gateway-operations.md.
// Run after `pnpm run build`: node scripts/gateway-config-table.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable, gatewayFlagSpec, logGatewayExtension, registryGatewayExtension } from '../packages/cli/dist/index.js';

const file = new URL('../docs/gateway-operations.md', import.meta.url);
const start = '<!-- config-table:start -->';
const end = '<!-- config-table:end -->';
const text = readFileSync(file, 'utf8');
const table = configTable(gatewayFlagSpec([logGatewayExtension, registryGatewayExtension]));
const a = text.indexOf(start);
const b = text.indexOf(end);
if (a < 0 || b < a) throw new Error('docs/gateway-operations.md has no config-table markers');
writeFileSync(file, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);

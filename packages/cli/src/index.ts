/**
 * The `signet` command line, also usable in process (tests, embedding): {@link main}.
 *
 * @packageDocumentation
 */
import type { DemoHost } from '@signet/demo';
import { createDemoHost } from './commands/demo.js';
import type { CommandIO } from './io.js';
import { main } from './main.js';

export { main };
export type { CommandIO } from './io.js';
export type { Command } from './command.js';
export { COMMANDS } from './commands/index.js';
export { parseArgs, type FlagDoc, type FlagKind, type FlagSpec, type ParsedArgs } from './args.js';
export type { CliMain } from './runner.js';
export { EXIT } from './exit.js';
export { applyConfig, configTable } from './config-file.js';
export { GATEWAY_FLAGS, gatewayFlagSpec, startGatewayFromArgs, type GatewayExtension, type StartedGateway } from './commands/gateway.js';
export { logGatewayExtension } from './commands/log-gateway.js';
export { registryGatewayExtension } from './commands/registry-gateway.js';

/** The host `signet demo` gives the demo story (@signet/demo), for running its parts on their own. */
export function demoHost(io: CommandIO): DemoHost {
  return createDemoHost(main, io);
}

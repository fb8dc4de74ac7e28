/**
 * The `signet` command line, also usable in process (tests, embedding): {@link main}.
 *
 * @packageDocumentation
 */
export { main } from './main.js';
export type { CommandIO } from './io.js';
export type { Command } from './command.js';
export { COMMANDS } from './commands/index.js';

import type { DemoHost } from '@signet/demo';
import { createDemoHost } from './commands/demo.js';
import type { CommandIO } from './io.js';
import { main } from './main.js';

/** The host `signet demo` gives the demo story (@signet/demo), for running its parts on their own. */
export function demoHost(io: CommandIO): DemoHost {
  return createDemoHost(main, io);
}

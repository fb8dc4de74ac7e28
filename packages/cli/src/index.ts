/**
 * The `signet` command line, also usable in process (tests, embedding): {@link main}.
 *
 * @packageDocumentation
 */
export { main } from './main.js';
export type { CommandIO } from './io.js';
export type { Command } from './command.js';
export { COMMANDS } from './commands/index.js';

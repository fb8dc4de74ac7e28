import { COMMANDS } from './commands/index.js';
import { createMain, type CliMain } from './runner.js';

/**
 * Runs the CLI with `argv` (without node and script). Never throws: every failure becomes a
 * message on stderr and an exit code. Secrets never reach the output (errors carry codes and hints).
 */
export const main: CliMain = createMain(() => COMMANDS);

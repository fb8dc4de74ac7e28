import type { Command } from '../command.js';

/**
 * Every command. Each lives in its own file under commands/ and is listed here once.
 */
export const COMMANDS: Command[] = [];

import type { CommandIO } from './io.js';

/** One CLI command. `run` returns the exit code: 0 success, 1 a negative verdict, 2 usage or input error. */
export interface Command {
  /** The words that select it, for example `['keys', 'new']`. */
  readonly name: readonly string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text. */
  readonly usage: string;
  run(argv: readonly string[], io: CommandIO): Promise<number>;
  /** Left out of the command list (an old spelling kept working). */
  readonly hidden?: boolean;
}

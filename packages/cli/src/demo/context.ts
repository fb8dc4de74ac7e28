import type { CommandIO } from '../io.js';

/**
 * What every part of `signet demo` shares. The demo runs in parts, one per capability
 * (foundation, serving path, log, auditors, keys); each part is a function taking this context,
 * printing its story through `say`/`step`, and throwing if anything does not turn out as it should
 * (the demo is also a smoke test: it exits non-zero when a part fails).
 */
export interface DemoContext {
  /** A fresh working folder for this run: keys, databases, datasets and reports go here. */
  readonly dir: string;
  /** The keys folder made by the foundation part (signing-key.jwk, jwks.json, account-secret). */
  readonly keysDir: string;
  /** The terms file made by the foundation part. */
  readonly termsFile: string;
  /** The issuer used throughout. */
  readonly issuer: string;
  readonly io: CommandIO;
  /** Prints a section heading. */
  step(title: string): void;
  /** Prints a line of the story. */
  say(line: string): void;
  /** Fails the demo with a message when a condition does not hold. */
  expect(condition: boolean, what: string): void;
  /** Runs a signet CLI command in process and returns its exit code and output. */
  cli(argv: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** One part of the demo. */
export type DemoPart = (ctx: DemoContext) => Promise<void>;

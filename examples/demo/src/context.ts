import type { TermsConfig } from '@signet/server';

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
  /** Prints a section heading. */
  step(title: string): void;
  /** Prints a line of the story. */
  say(line: string): void;
  /** Fails the demo with a message when a condition does not hold. */
  expect(condition: boolean, what: string): void;
  /** Runs a signet CLI command in process and returns its exit code and output. */
  cli(argv: readonly string[], stdin?: string): Promise<CliResult>;
  /** Starts `signet gateway` with these arguments in process, its own output silenced. */
  startGateway(argv: readonly string[]): Promise<DemoGateway>;
  /** Reads a terms file the way `signet gateway` and `signet sign` do. */
  readTermsFile(path: string): TermsConfig;
}

/** What a CLI command run in process returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A gateway the demo started. */
export interface DemoGateway {
  readonly url: string;
  close(): Promise<void>;
}

/** One part of the demo. */
export type DemoPart = (ctx: DemoContext) => Promise<void>;

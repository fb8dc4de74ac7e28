import { SignetError } from '@signet/core';

/** Exit codes, one meaning each (docs/cli.md): done/valid, checked and invalid, input, unreachable. */
export const EXIT = { ok: 0, invalid: 1, input: 2, unreachable: 3 } as const;

/** Something the command needed did not answer (a log, a URL): nothing was checked. Exit code 3. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** Whether an error means "something did not answer" (exit 3) rather than "the input is wrong" (2). */
export function isUnreachable(e: unknown): boolean {
  return e instanceof UnreachableError || (e instanceof SignetError && e.code === 'SIGNET_E_LOG_UNREACHABLE');
}

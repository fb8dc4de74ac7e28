import { SignetError, type SignetErrorCode } from '@signet/core';

/**
 * Bounds a promise in time: rejects with a typed error after `ms`. The promise itself goes on (a
 * database query cannot be taken back); only the wait for it ends.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, code: SignetErrorCode, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SignetError(code, message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

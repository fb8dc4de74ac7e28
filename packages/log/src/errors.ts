import { defineErrorCodes } from '@signet/core';

/**
 * The error codes of the log's storage and sequencer (what a verifier never meets).
 * They share core's one `SignetError` class and code namespace; see `ERROR_CODES` in
 * `@signet/core` for the format and verification codes.
 */
export const LOG_ERROR_CODES = defineErrorCodes({
  SIGNET_E_LOG_STORAGE: 'The log storage failed.',
  SIGNET_E_LOG_NOT_FOUND: 'The requested log entry or tile does not exist.',
  SIGNET_E_LOG_UNREACHABLE: 'The log could not be reached or did not answer: nothing was checked.',
  SIGNET_E_LOG_QUEUE_FULL: 'The log sequencer queue is full: entries arrive faster than the storage commits them.',
  SIGNET_E_LOG_KEY_MISMATCH: 'The log key does not match the key this log was created with.',
  SIGNET_E_LOG_SPOOL: 'The durable spool of the log could not be written or read.',
  SIGNET_E_LOG_SPOOL_IN_USE: 'The spool file is owned by another live process: a spool has exactly one writer.',
  SIGNET_E_LOG_UNAVAILABLE: 'The log cannot store entries right now, and the operator chose to refuse rather than spool.',
  SIGNET_E_LOG_NOT_WRITABLE: 'The log storage cannot be written (a read-only file, a full disk, missing rights).',
  SIGNET_E_LOG_TIMEOUT: 'The log storage did not answer in time.',
});

/** A code from {@link LOG_ERROR_CODES}. */
export type LogErrorCode = keyof typeof LOG_ERROR_CODES;

declare module '@signet/core' {
  // Lets `new SignetError(code)` take these codes wherever this package is loaded.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SignetErrorCodeMap extends Record<LogErrorCode, true> {}
}

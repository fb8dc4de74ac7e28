import { defineErrorCodes } from '@signet/core';

/**
 * The error codes of the registry's storage.
 * They share core's one `SignetError` class and code namespace; see `ERROR_CODES` in
 * `@signet/core` for the format and verification codes.
 */
export const REGISTRY_ERROR_CODES = defineErrorCodes({
  SIGNET_E_REGISTRY_STORAGE: 'The registry storage failed.',
  SIGNET_E_REGISTRY_NOT_FOUND: 'The registry has no entry for this response.',
  SIGNET_E_REGISTRY_MISSING: 'There is no registry at this path or URL (reading never creates one).',
  SIGNET_E_REGISTRY_FOREIGN_KEY: 'The keys given did not seal anything in this registry: they belong to another provider or registry.',
  SIGNET_E_REGISTRY_UNAVAILABLE: 'The registry cannot store records right now, and the operator chose to refuse rather than spool.',
  SIGNET_E_REGISTRY_NOT_WRITABLE: 'The registry storage cannot be written (a read-only file, a full disk, missing rights).',
});

/** A code from {@link REGISTRY_ERROR_CODES}. */
export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

declare module '@signet/core' {
  // Lets `new SignetError(code)` take these codes wherever this package is loaded.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SignetErrorCodeMap extends Record<RegistryErrorCode, true> {}
}

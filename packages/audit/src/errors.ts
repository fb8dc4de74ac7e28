import { defineErrorCodes } from '@signet/core';

/**
 * The error codes of the dataset reader auditors use (`signet audit`). They live with the reader.
 * They share core's one `SignetError` class and code namespace; see `ERROR_CODES` in
 * `@signet/core` for the format and verification codes.
 */
export const DATASET_ERROR_CODES = defineErrorCodes({
  SIGNET_E_DATASET_MALFORMED: 'A dataset record is not well-formed JSON.',
  SIGNET_E_DATASET_LINE_TOO_LONG: 'A dataset record is longer than the configured limit.',
  SIGNET_E_DATASET_ENCODING: 'A dataset record is not valid UTF-8.',
  SIGNET_E_DATASET_LAYOUT: 'A dataset record has none of the known layouts.',
  SIGNET_E_DATASET_TRAILING: 'A dataset has data after the end of its top-level JSON array.',
  SIGNET_E_DATASET_FORMAT: 'A dataset is in a format the reader does not support.',
  SIGNET_E_DATASET_UNREADABLE: 'A dataset path cannot be read.',
});

/** A code from {@link DATASET_ERROR_CODES}. */
export type DatasetErrorCode = keyof typeof DATASET_ERROR_CODES;

declare module '@signet/core' {
  // Lets `new SignetError(code)` take these codes wherever this package is loaded.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SignetErrorCodeMap extends Record<DatasetErrorCode, true> {}
}

import { InputTooLargeError, readFileBounded } from './bounded-read.js';
import { describeFileError } from './file-errors.js';

/** A file that could not be read as text: missing, unreadable, too large or not UTF-8. The message says which, in words. */
export class TextFileError extends Error {
  override readonly name = 'TextFileError';
}

/**
 * Reads a UTF-8 file synchronously with a byte cap. `what` names the file in errors ("the trust
 * JWKS ..."). Every failure is a {@link TextFileError}.
 */
export function readTextFile(path: string, what: string, maxBytes = 1_000_000): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileBounded(path, maxBytes);
  } catch (cause) {
    if (cause instanceof InputTooLargeError) throw new TextFileError(`the ${what} ${cause.message}`);
    throw new TextFileError(`the ${what}: ${describeFileError(path, cause)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TextFileError(`the ${what} ${path} is not valid UTF-8`);
  }
}

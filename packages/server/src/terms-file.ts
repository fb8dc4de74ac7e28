import { InputTooLargeError, readFileBounded } from '@signet/core/node-fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SignetError, validateUsage } from '@signet/core';
import type { TermsConfig } from './terms.js';

/** Largest terms file, and largest terms document, read. */
const MAX_TERMS_FILE_BYTES = 4 * 1024 * 1024;

function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

const SHAPE_HINT =
  'The terms file is JSON: { "id", "version", "uri", "document" (the terms text) or "documentFile" (a path to it), "usage" }.';

/**
 * Reads a terms file: JSON `{ "id", "version", "uri", "usage" }` with exactly one of `document`,
 * the terms text itself, and `documentFile`, the path of a file holding it (relative to the terms
 * file). `usage` holds CAWG training-mining entries. A `documentFile` that cannot be read is an
 * error: the text of a path is never signed in place of the terms.
 *
 * @throws SignetError `SIGNET_E_CONFIG_INVALID` (shape, or an unreadable documentFile), `SIGNET_E_PARSE_TOO_LARGE`
 */
export function readTermsFile(path: string): TermsConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(decodeUtf8(readFileBounded(path, MAX_TERMS_FILE_BYTES)));
  } catch (cause) {
    if (cause instanceof InputTooLargeError)
      throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', `the terms file ${path} is larger than ${MAX_TERMS_FILE_BYTES} bytes`);
    const missing = (cause as NodeJS.ErrnoException)?.code === 'ENOENT';
    throw new SignetError(
      'SIGNET_E_CONFIG_INVALID',
      missing ? `the terms file ${path} does not exist` : `cannot read the terms file ${path} as JSON`,
      {
        cause,
        hint: SHAPE_HINT,
      },
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${path} must hold a JSON object`, { hint: SHAPE_HINT });
  const t = raw as Record<string, unknown>;
  for (const name of ['id', 'version', 'uri'] as const) {
    if (typeof t[name] !== 'string' || (t[name] as string).length === 0)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `the terms file needs a "${name}" string`, { hint: SHAPE_HINT });
  }
  const inline = t.document;
  const file = t.documentFile;
  if ((inline === undefined) === (file === undefined))
    throw new SignetError(
      'SIGNET_E_CONFIG_INVALID',
      'the terms file needs exactly one of "document" (the text) and "documentFile" (a path)',
      {
        hint: SHAPE_HINT,
      },
    );
  let document: string;
  if (inline !== undefined) {
    if (typeof inline !== 'string' || inline.length === 0)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', '"document" must be the terms text (a non-empty string)', { hint: SHAPE_HINT });
    document = inline;
  } else {
    if (typeof file !== 'string' || file.length === 0)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', '"documentFile" must be a path (a non-empty string)', { hint: SHAPE_HINT });
    const docPath = isAbsolute(file) ? file : resolve(dirname(path), file);
    try {
      document = decodeUtf8(readFileBounded(docPath, MAX_TERMS_FILE_BYTES));
    } catch (cause) {
      if (cause instanceof InputTooLargeError)
        throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', `the terms document ${docPath} is larger than ${MAX_TERMS_FILE_BYTES} bytes`);
      const code = (cause as NodeJS.ErrnoException)?.code;
      throw new SignetError(
        'SIGNET_E_CONFIG_INVALID',
        code === 'ENOENT'
          ? `the terms document ${file} (documentFile of ${path}) does not exist`
          : code === undefined
            ? `the terms document ${file} (documentFile of ${path}) is not UTF-8 text`
            : `cannot read the terms document ${file} (documentFile of ${path})`,
        { cause, hint: 'documentFile is a path relative to the terms file; for inline text use "document".' },
      );
    }
  }
  return { id: t.id as string, version: t.version as string, uri: t.uri as string, document, usage: validateUsage(t.usage ?? {}) };
}

import { InputTooLargeError, readFileBounded } from '@signet/core/node-fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SignetError, validateUsage } from '@signet/core';
import type { TermsConfig } from './terms.js';

/** Largest terms file, and largest terms document, read. */
const MAX_TERMS_FILE_BYTES = 4 * 1024 * 1024;

function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * Reads a terms file: JSON `{ "id", "version", "uri", "document", "usage" }` where `document` is a
 * path (relative to the terms file) or the inline text of the terms, and `usage` holds CAWG
 * training-mining entries.
 */
export function readTermsFile(path: string): TermsConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(decodeUtf8(readFileBounded(path, MAX_TERMS_FILE_BYTES)));
  } catch (cause) {
    if (cause instanceof InputTooLargeError)
      throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', `the terms file ${path} is larger than ${MAX_TERMS_FILE_BYTES} bytes`);
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `cannot read the terms file ${path} as JSON`, {
      cause,
      hint: 'The terms file is JSON: { "id", "version", "uri", "document", "usage" }.',
    });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${path} must hold a JSON object`);
  const t = raw as Record<string, unknown>;
  for (const name of ['id', 'version', 'uri', 'document'] as const) {
    if (typeof t[name] !== 'string' || (t[name] as string).length === 0)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `the terms file needs a "${name}" string`);
  }
  const docField = t.document as string;
  let document = docField;
  // A document that names an existing file is read from it; anything else is the inline text.
  const candidate = isAbsolute(docField) ? docField : resolve(dirname(path), docField);
  if (!docField.includes('\n') && docField.length < 4096) {
    try {
      document = decodeUtf8(readFileBounded(candidate, MAX_TERMS_FILE_BYTES));
    } catch (cause) {
      if (cause instanceof InputTooLargeError)
        throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', `the terms document ${candidate} is larger than ${MAX_TERMS_FILE_BYTES} bytes`);
      document = docField;
    }
  }
  return { id: t.id as string, version: t.version as string, uri: t.uri as string, document, usage: validateUsage(t.usage ?? {}) };
}

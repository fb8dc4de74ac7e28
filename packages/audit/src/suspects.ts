import type {} from './errors.js';
import { InputTooLargeError, readFileBounded } from '@signet/core/node-fs';
import { basename, extname } from 'node:path';
import type { SignetErrorCode } from '@signet/core';
import { readDataset } from './dataset.js';

/**
 * Suspect texts for attribution: a JSONL or JSON-array file of records (each a string, or an object
 * with `text`, `content`, a chat completion, or `messages`), or a plain text file (.txt, .md) that is
 * one suspect as a whole.
 */
export type Suspect =
  | { readonly line: number; readonly id: string | number; readonly text: string }
  | { readonly line: number; readonly id: number; readonly error: SignetErrorCode; readonly message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function contentText(c: unknown): string | undefined {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return undefined;
}

/** The text of a record, in whatever shape it comes. */
export function suspectText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isObject(v)) return undefined;
  if (typeof v.text === 'string') return v.text;
  const content = contentText(v.content);
  if (content !== undefined) return content;
  if (Array.isArray(v.messages)) {
    const parts = v.messages
      .filter((m) => isObject(m) && m.role === 'assistant')
      .map((m) => contentText((m as Record<string, unknown>).content) ?? '');
    return parts.length === 0 ? undefined : parts.join('\n\n');
  }
  if (Array.isArray(v.choices)) {
    const first = v.choices[0];
    if (isObject(first))
      return isObject(first.message) ? contentText(first.message.content) : typeof first.text === 'string' ? first.text : undefined;
  }
  return undefined;
}

/** Reads suspects one by one (streaming for record files); a stream of bytes (stdin) is read as records. */
export async function* readSuspects(path: string | AsyncIterable<Uint8Array>, maxRecordBytes = 8 * 1024 * 1024): AsyncGenerator<Suspect> {
  const ext = typeof path === 'string' ? extname(path).toLowerCase() : '';
  if (typeof path === 'string' && (ext === '.txt' || ext === '.md')) {
    let bytes: Uint8Array;
    try {
      bytes = readFileBounded(path, maxRecordBytes);
    } catch (e) {
      if (!(e instanceof InputTooLargeError)) throw e;
      yield { line: 1, id: 1, error: 'SIGNET_E_DATASET_LINE_TOO_LONG', message: `The file is larger than ${maxRecordBytes} bytes.` };
      return;
    }
    try {
      yield { line: 1, id: basename(path), text: decoder.decode(bytes) };
    } catch {
      yield { line: 1, id: 1, error: 'SIGNET_E_DATASET_ENCODING', message: 'The file is not valid UTF-8.' };
    }
    return;
  }
  for await (const r of readDataset(path, { maxRecordBytes })) {
    if (r.bytes === undefined) {
      yield {
        line: r.line,
        id: r.line,
        error: 'SIGNET_E_DATASET_LINE_TOO_LONG',
        message: `The record is ${r.tooLong ?? 0} bytes; the limit is ${maxRecordBytes}.`,
      };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(r.bytes));
    } catch (e) {
      const encoding = e instanceof TypeError;
      yield {
        line: r.line,
        id: r.line,
        error: encoding ? 'SIGNET_E_DATASET_ENCODING' : 'SIGNET_E_DATASET_MALFORMED',
        message: encoding ? 'The record is not valid UTF-8.' : 'The record is not valid JSON.',
      };
      continue;
    }
    const text = suspectText(value);
    const given = isObject(value) ? value.id : undefined;
    const id = typeof given === 'string' || (typeof given === 'number' && Number.isFinite(given)) ? given : r.line;
    if (text === undefined)
      yield {
        line: r.line,
        id: r.line,
        error: 'SIGNET_E_DATASET_LAYOUT',
        message: 'The record has no text (text, content, messages or choices).',
      };
    else yield { line: r.line, id, text };
  }
}

import type {} from './errors.js';
import { InputTooLargeError, readFileBounded } from '@signet/core/node-fs';
import { basename, extname } from 'node:path';
import type { SignetErrorCode } from '@signet/core';
import { fieldOf } from './records.js';
import { readRecords, resolveDataset } from './source.js';

/**
 * Suspect texts for attribution: a dataset in any format the dataset reader takes (JSONL or JSON,
 * plain or gzip, Parquet, stdin, a folder of shards) whose records are each a string, or an object
 * with `text` (or the `textField`), `content`, a chat completion, or `messages`; or a plain text
 * file (.txt, .md) that is one suspect as a whole.
 */
export type Suspect =
  | { readonly line: number; readonly file?: string; readonly id: string | number; readonly text: string }
  | { readonly line: number; readonly file?: string; readonly id: number; readonly error: SignetErrorCode; readonly message: string };

/** Options of {@link readSuspects}. */
export interface SuspectOptions {
  /** Largest record in bytes (default 8 MiB). */
  readonly maxRecordBytes?: number;
  /** The field that holds the text, tried before the usual ones (a dotted name reaches into objects). */
  readonly textField?: string | undefined;
  /** Called with the bytes read so far and the dataset's size (0 for stdin), for progress. */
  readonly onBytes?: (bytes: number, total: number) => void;
  /** Where `-` reads from (default stdin). */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function contentText(c: unknown): string | undefined {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return undefined;
}

/** The text of a record, in whatever shape it comes (the `textField` first, when given). */
export function suspectText(v: unknown, textField?: string): string | undefined {
  if (typeof v === 'string') return v;
  if (!isObject(v)) return undefined;
  if (textField !== undefined) {
    const given = fieldOf(v, textField);
    return typeof given === 'string' ? given : undefined;
  }
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

/** Reads suspects one by one (streaming for record files); a stream of bytes (stdin) is read as `-` is. */
export async function* readSuspects(source: string | AsyncIterable<Uint8Array>, options: SuspectOptions = {}): AsyncGenerator<Suspect> {
  const path = typeof source === 'string' ? source : '-';
  if (typeof source !== 'string') options = { ...options, stdin: source };
  const maxRecordBytes = options.maxRecordBytes ?? 8 * 1024 * 1024;
  const ext = extname(path).toLowerCase();
  if (ext === '.txt' || ext === '.md') {
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
  const files = resolveDataset(path);
  const total = files.reduce((n, f) => n + f.size, 0);
  const records = readRecords(files, {
    maxRecordBytes,
    ...(options.onBytes === undefined ? {} : { onBytes: (n: number) => options.onBytes?.(n, total) }),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
  for await (const record of records) {
    const { file: index, ...r } = record;
    const where = files.length > 1 ? { file: files[index]?.name ?? '' } : {};
    if (r.problem !== undefined) {
      yield { line: r.line, ...where, id: r.line, error: r.problem.code, message: r.problem.message };
      continue;
    }
    if (r.bytes === undefined) {
      yield {
        line: r.line,
        ...where,
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
        ...where,
        id: r.line,
        error: encoding ? 'SIGNET_E_DATASET_ENCODING' : 'SIGNET_E_DATASET_MALFORMED',
        message: encoding ? 'The record is not valid UTF-8.' : 'The record is not valid JSON.',
      };
      continue;
    }
    const text = suspectText(value, options.textField);
    const given = isObject(value) ? value.id : undefined;
    const fallback = files.length > 1 ? `${files[index]?.name ?? ''}:${r.line}` : r.line;
    const id = typeof given === 'string' || (typeof given === 'number' && Number.isFinite(given)) ? given : fallback;
    if (text === undefined)
      yield {
        line: r.line,
        ...where,
        id: r.line,
        error: 'SIGNET_E_DATASET_LAYOUT',
        message:
          options.textField === undefined
            ? 'The record has no text (text, content, messages or choices).'
            : `The record has no text in its ${options.textField} field.`,
      };
    else yield { line: r.line, ...where, id, text };
  }
}

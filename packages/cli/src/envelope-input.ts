import { existsSync } from 'node:fs';
import { envelopeFromText, fromUtf8, SignetError } from '@signet/core';
import { savedAnswerEnvelope } from '@signet/verify';
import type { CommandIO } from './io.js';
import { readInput } from './io.js';

/** An envelope as found in a file or on stdin: COSE bytes, or a compact JWS. */
export type EnvelopeInput = { kind: 'cose'; bytes: Uint8Array } | { kind: 'jws'; jws: string };

/**
 * Reads an envelope from a path, `-` (stdin) or, when `allowLiteral` and no such file exists, the
 * argument itself. Accepts raw COSE bytes, base64url COSE text, or a compact JWS.
 */
export async function readEnvelope(io: CommandIO, source: string, allowLiteral = false): Promise<EnvelopeInput> {
  const bytes =
    source !== '-' && allowLiteral && !existsSync(source) ? new TextEncoder().encode(source) : await readInput(io, source, 1024 * 1024);
  // Tagged COSE_Sign1 (0xd2) or a bare 4-array (0x84): raw bytes.
  if (bytes[0] === 0xd2 || bytes[0] === 0x84) return { kind: 'cose', bytes };
  let text: string;
  try {
    text = fromUtf8(bytes).trim();
  } catch {
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', 'the envelope is neither COSE bytes nor text', { step: 'parse' });
  }
  if (text.split('.').length === 3) return { kind: 'jws', jws: text };
  const carried = savedAnswerEnvelope(text);
  if (carried !== undefined)
    return carried.split('.').length === 3 ? { kind: 'jws', jws: carried } : { kind: 'cose', bytes: envelopeFromText(carried) };
  return { kind: 'cose', bytes: envelopeFromText(text) };
}

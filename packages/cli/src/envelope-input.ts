import { existsSync } from 'node:fs';
import { canonicalCarrierField, CARRIER_FIELD, envelopeFromText, fromUtf8, SignetError } from '@signet/core';
import type { CommandIO } from './io.js';
import { readInput } from './io.js';

/** The `signet` member's envelope of a JSON object, if it has one in its canonical form. */
function memberEnvelope(json: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return canonicalCarrierField((value as Record<string, unknown>)[CARRIER_FIELD])?.envelope;
}

/**
 * The envelope a saved answer carries: the `signet` member of a JSON body, or of the carrier event
 * of a stream capture. Only read, never checked here: verifying is `signet verify`'s job.
 */
function carriedEnvelope(text: string): string | undefined {
  if (text.startsWith('{')) return memberEnvelope(text);
  if (!/^(data|event|id):/m.test(text)) return undefined;
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const found = memberEnvelope(line.slice(5).trim());
    if (found !== undefined) return found;
  }
  return undefined;
}

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
  const carried = carriedEnvelope(text);
  if (carried !== undefined)
    return carried.split('.').length === 3 ? { kind: 'jws', jws: carried } : { kind: 'cose', bytes: envelopeFromText(carried) };
  return { kind: 'cose', bytes: envelopeFromText(text) };
}

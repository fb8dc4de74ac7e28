import { decodeCbor, jsonToClaims, parseEnvelope, SignetError, claimsToJson, toBase64url, fromBase64url, fromUtf8 } from '@signet/core';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { readEnvelope } from '../envelope-input.js';

/** `signet inspect`: decodes an envelope and prints its claims WITHOUT verifying anything. */
export const inspect: Command = defineCommand({
  name: ['inspect'],
  summary: 'decode an envelope and print its claims (does NOT verify)',
  flags: {},
  operands: 'ENVELOPE|-',
  text: `ENVELOPE is a file, "-" for stdin, or the base64url envelope itself. Prints the header and claims
as JSON. Nothing is verified: use "signet verify" to check a seal.`,
  async run(args, io) {
    const source = args.positionals[0];
    if (source === undefined || args.positionals.length > 1) throw new UsageError('give one envelope (a file, "-" or the text)');
    const envelope = await readEnvelope(io, source, true);
    let out: object;
    if (envelope.kind === 'jws') {
      const [h, p] = envelope.jws.split('.') as [string, string];
      let header: unknown;
      let payload: unknown;
      try {
        header = JSON.parse(fromUtf8(fromBase64url(h)));
        payload = JSON.parse(fromUtf8(fromBase64url(p)));
      } catch {
        throw new SignetError('SIGNET_E_PARSE_MALFORMED', 'the JWS is not base64url JSON', { step: 'parse' });
      }
      jsonToClaims(payload);
      out = { verified: false, note: 'decoded only: the signature was NOT checked', format: 'jws', header, claims: payload };
    } else {
      const parsed = parseEnvelope(envelope.bytes);
      const unprotectedLabels = [...parsed.unprotected.keys()].map(String);
      out = {
        verified: false,
        note: 'decoded only: the signature was NOT checked',
        format: 'cose',
        bytes: envelope.bytes.length,
        header: { alg: parsed.alg, kid: parsed.kid, typ: (decodeCbor(parsed.protectedBytes) as Map<number, unknown>).get(16) },
        unprotected: unprotectedLabels,
        claims: claimsToJson(parsed.claims),
        signature: toBase64url(parsed.signature),
      };
    }
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    io.stderr('note: inspect decodes only; nothing was verified.\n');
    return 0;
  },
});

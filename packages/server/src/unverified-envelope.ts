import {
  claimsToJson,
  decodeCbor,
  fromBase64url,
  fromUtf8,
  jsonToClaims,
  parseEnvelope,
  SignetError,
  toBase64url,
  type EnvelopeClaims,
} from '@signet/core';

/**
 * Reading an envelope WITHOUT checking its seal: for a provider looking up the account it names, or
 * a person looking at it. Nothing here says the envelope is genuine; verify it for that.
 */

/** An envelope as read from a file: COSE bytes, or a compact JWS. */
export type EnvelopeBytesOrJws = { kind: 'cose'; bytes: Uint8Array } | { kind: 'jws'; jws: string };

const malformed = (message: string): SignetError => new SignetError('SIGNET_E_PARSE_MALFORMED', message, { step: 'parse' });

/** The claims an envelope states, unverified. */
export function unverifiedClaims(envelope: EnvelopeBytesOrJws): EnvelopeClaims {
  if (envelope.kind === 'cose') return parseEnvelope(envelope.bytes).claims;
  const payload = envelope.jws.split('.')[1] ?? '';
  try {
    return jsonToClaims(JSON.parse(fromUtf8(fromBase64url(payload))));
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw malformed('The JWS payload is not valid JSON claims.');
  }
}

/**
 * The header and claims of an envelope as JSON, for display (`verified: false` says so). The
 * claims must still be well formed; a malformed envelope throws `SIGNET_E_PARSE_MALFORMED`.
 */
export function describeUnverifiedEnvelope(envelope: EnvelopeBytesOrJws): Record<string, unknown> {
  const note = 'decoded only: the signature was NOT checked';
  if (envelope.kind === 'jws') {
    const [h, p] = envelope.jws.split('.') as [string, string];
    let header: unknown;
    let payload: unknown;
    try {
      header = JSON.parse(fromUtf8(fromBase64url(h)));
      payload = JSON.parse(fromUtf8(fromBase64url(p)));
    } catch {
      throw malformed('the JWS is not base64url JSON');
    }
    jsonToClaims(payload);
    return { verified: false, note, format: 'jws', header, claims: payload };
  }
  const parsed = parseEnvelope(envelope.bytes);
  return {
    verified: false,
    note,
    format: 'cose',
    bytes: envelope.bytes.length,
    header: { alg: parsed.alg, kid: parsed.kid, typ: (decodeCbor(parsed.protectedBytes) as Map<number, unknown>).get(16) },
    unprotected: [...parsed.unprotected.keys()].map(String),
    claims: claimsToJson(parsed.claims),
    signature: toBase64url(parsed.signature),
  };
}

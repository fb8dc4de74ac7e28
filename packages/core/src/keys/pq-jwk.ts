import { fromBase64url } from '../primitives/bytes.js';
import { SignetError } from '../primitives/errors.js';

/** Member checks shared by the ML-DSA-44 public and private JWK importers (internal: not exported by the package). */

/** Checks the members every ML-DSA-44 JWK has (kty AKP, alg ML-DSA-44). */
export function readAkpJwk(jwk: unknown): Record<string, unknown> {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
    throw new SignetError('SIGNET_E_KEY_INVALID', 'A JWK must be a JSON object.');
  const o = jwk as Record<string, unknown>;
  if (o.kty !== 'AKP' || o.alg !== 'ML-DSA-44')
    throw new SignetError('SIGNET_E_KEY_INVALID', 'Only ML-DSA-44 keys (kty AKP, alg ML-DSA-44) are supported here.');
  return o;
}

/** A base64url member of exactly `length` bytes. */
export function akpMember(o: Record<string, unknown>, name: string, length: number): Uint8Array {
  const v = o[name];
  let bytes: Uint8Array | undefined;
  try {
    bytes = typeof v === 'string' ? fromBase64url(v) : undefined;
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes.length !== length)
    throw new SignetError('SIGNET_E_KEY_INVALID', `JWK member ${name} must be base64url of ${length} bytes.`);
  return bytes;
}

import { compactDecrypt, importJWK } from 'jose';
import { SignetError } from '@signet/core';

/**
 * The auditor's side of sealed account ids: decrypts `AccountClaim.sealedId` with the auditor's
 * X25519 private key, without asking the provider.
 *
 * A sealed id is one compact JWE (RFC 7516; `alg` ECDH-ES, `enc` A256GCM, X25519 per RFC 8037) per
 * designated auditor, separated by single spaces; the plaintext is zero-padded to hide its length.
 * A JWE that names a `kid` other than the auditor key's is skipped without trying it. Algorithms
 * are pinned: anything else is refused before any decryption.
 */

/** Separator between the JWEs of several auditors. */
export const SEALED_ID_SEPARATOR = ' ';

/**
 * Decrypts a sealed account id with an auditor's private JWK (`{ kty: "OKP", crv: "X25519", d, x, kid }`).
 * Throws `SIGNET_E_INPUT_INVALID` when no part is for this key or decryption fails.
 */
export async function openSealedId(sealedId: string, auditorPrivateJwk: { kid?: string } & Record<string, unknown>): Promise<string> {
  if (typeof sealedId !== 'string' || sealedId.length > 4096)
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'The sealed account id must be a string.');
  if (auditorPrivateJwk?.kty !== 'OKP' || auditorPrivateJwk.crv !== 'X25519' || typeof auditorPrivateJwk.d !== 'string') {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'The auditor key must be a private X25519 JWK.', {
      hint: 'Create one with `signet keys auditor --out DIR`.',
    });
  }
  let key;
  try {
    key = await importJWK({ kty: 'OKP', crv: 'X25519', d: auditorPrivateJwk.d, x: auditorPrivateJwk.x as string }, 'ECDH-ES');
  } catch {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'The auditor key is not a usable X25519 key.');
  }
  const parts = sealedId.split(SEALED_ID_SEPARATOR);
  for (const part of parts) {
    const kid = headerKid(part);
    if (auditorPrivateJwk.kid !== undefined && kid !== undefined && kid !== auditorPrivateJwk.kid) continue;
    try {
      const { plaintext } = await compactDecrypt(part, key, {
        keyManagementAlgorithms: ['ECDH-ES'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      // Sealers pad with zero bytes to hide the id's length; ids never contain NUL.
      let end = plaintext.length;
      while (end > 0 && plaintext[end - 1] === 0) end--;
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext.subarray(0, end));
    } catch {
      // Not for this key (or altered): try the next auditor's part.
    }
  }
  throw new SignetError('SIGNET_E_INPUT_INVALID', 'The sealed account id cannot be decrypted with this auditor key.', {
    hint: 'It was sealed for other auditors, or altered.',
  });
}

function headerKid(jwe: string): string | undefined {
  const dot = jwe.indexOf('.');
  if (dot <= 0 || dot > 2048) return undefined;
  try {
    const bin = atob(jwe.slice(0, dot).replace(/-/g, '+').replace(/_/g, '/'));
    const header = JSON.parse(bin) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

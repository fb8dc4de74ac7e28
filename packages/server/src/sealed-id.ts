import { CompactEncrypt, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { SignetError, utf8 } from '@signet/core';

/**
 * Sealed account ids: the account id encrypted to designated auditors, so that an auditor can read
 * who received a response without asking the provider (and the public still cannot).
 *
 * One compact JWE (RFC 7516) per auditor, joined by single spaces, goes into `AccountClaim.sealedId`.
 * Algorithms are pinned: `alg` ECDH-ES with X25519 (RFC 8037), `enc` A256GCM; every JWE has a fresh
 * ephemeral key, so sealed ids of one account are unlinkable. The plaintext is padded with zero bytes
 * to a multiple of 32 so the ciphertext length does not reveal the id's length. The JWEs carry no
 * `kid`: it would cost 60 characters each, and an auditor simply tries the (at most three) parts. The auditor opens it
 * with `openSealedId` from `@signet/verify` or `signet account open --auditor-key`.
 */

/** At most this many auditors per envelope (each adds about 250 bytes). */
export const MAX_AUDITORS = 3;
const PAD = 32;

/** An auditor's public key. */
export interface AuditorKey {
  readonly kid: string;
  readonly jwk: JWK;
}

/** Reads auditor public keys from a JWKS (object or JSON text) of X25519 keys. */
export async function parseAuditorKeys(input: unknown): Promise<AuditorKey[]> {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch {
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'The auditor JWKS is not valid JSON.');
    }
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_AUDITORS) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `The auditor JWKS must hold 1 to ${MAX_AUDITORS} keys.`);
  }
  const out: AuditorKey[] = [];
  for (const k of keys as Record<string, unknown>[]) {
    if (k === null || typeof k !== 'object' || k.kty !== 'OKP' || k.crv !== 'X25519' || typeof k.x !== 'string') {
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'Auditor keys must be X25519 public JWKs.', {
        hint: '`signet keys auditor --out DIR` writes one.',
      });
    }
    if (k.d !== undefined)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'An auditor private key was given where a public key was expected.');
    const jwk: JWK = { kty: 'OKP', crv: 'X25519', x: k.x };
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    if (k.kid !== undefined && k.kid !== kid)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'The auditor JWK kid is not its RFC 7638 thumbprint.');
    out.push({ kid, jwk: { ...jwk, kid } });
  }
  return out;
}

/** Encrypts an account id to every auditor. */
export type AccountIdSealer = (accountId: string) => Promise<string>;

/** Creates the function that seals account ids to `auditors`. */
export async function createAccountIdSealer(auditors: readonly AuditorKey[]): Promise<AccountIdSealer> {
  const keys = await Promise.all(auditors.map(async (a) => ({ kid: a.kid, key: await importJWK(a.jwk, 'ECDH-ES') })));
  return async (accountId) => {
    const raw = utf8(accountId);
    if (raw.includes(0)) throw new SignetError('SIGNET_E_INPUT_INVALID', 'An account id cannot contain NUL characters.');
    const padded = new Uint8Array(Math.ceil((raw.length + 1) / PAD) * PAD);
    padded.set(raw);
    const parts = await Promise.all(
      keys.map((k) => new CompactEncrypt(padded).setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM' }).encrypt(k.key)),
    );
    return parts.join(' ');
  };
}

/** A fresh auditor key pair as JWKs (keep the private one at mode 0600). */
export async function generateAuditorKey(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey } = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const full = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'X25519', x: full.x as string }, 'sha256');
  return {
    privateJwk: { kty: 'OKP', crv: 'X25519', x: full.x as string, d: full.d as string, kid },
    publicJwk: { kty: 'OKP', crv: 'X25519', x: full.x as string, kid },
  };
}

import { readFileSync } from 'node:fs';
import { parseJwks, SignetError, type TrustedKey } from '@signet/core';
import { createDelegationCheck, createRevocationCheck, type VerifierExtensions } from '@signet/verify';
import { InputError } from './io.js';

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`cannot read the ${what} ${path}`);
  }
}

/**
 * The verifier extensions behind `signet verify --revocations FILE --roots JWKS`: a signed revocation
 * list (verified against the trusted keys and roots; an unusable list is an input error, never
 * ignored) and delegated node keys certified by the roots.
 */
export async function keyExtensions(
  trustJwks: string,
  revocationsFile: string | undefined,
  rootsFile: string | undefined,
): Promise<Pick<VerifierExtensions, 'revocation' | 'delegation'>> {
  let roots: TrustedKey[] = [];
  const out: { -readonly [K in 'revocation' | 'delegation']?: NonNullable<VerifierExtensions[K]> } = {};
  try {
    if (rootsFile !== undefined) {
      roots = parseJwks(readFile(rootsFile, 'roots JWKS'));
      out.delegation = createDelegationCheck({ roots });
    }
    if (revocationsFile !== undefined) {
      const signers = [...parseJwks(trustJwks), ...roots];
      out.revocation = (await createRevocationCheck([readFile(revocationsFile, 'revocation list')], signers)).revocation;
    }
  } catch (e) {
    if (e instanceof SignetError)
      throw new InputError(
        `${revocationsFile !== undefined && rootsFile === undefined ? `the revocation list ${revocationsFile}` : 'the revocation list or roots'} is not usable: ${e.code}: ${e.message}`,
      );
    throw e;
  }
  return out;
}

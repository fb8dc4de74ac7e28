import { parseJwks, SignetError, type TrustedKey } from '@signet/core';
import {
  createDelegationCheck,
  createHybridCheck,
  createReceiptCheck,
  createRevocationCheck,
  type VerifierExtensions,
} from '@signet/verify';
import { verifierKeyArg } from './commands/log-common.js';
import { InputError, readFileText } from './io.js';

function readFile(path: string, what: string): string {
  return readFileText(path, what, 4_000_000);
}

/**
 * The verifier extensions behind `signet verify --revocations FILE --roots JWKS --log-key KEY
 * --hybrid-keys JWKS`: a signed revocation list (verified against the trusted keys and roots; an
 * unusable list is an input error, never ignored), delegated node keys certified by the roots, the
 * log's receipts (whose time is what revocations and delegation windows are held to), and required
 * hybrid ML-DSA-44 signatures.
 */
export async function keyExtensions(
  trustJwks: string,
  revocationsFile: string | undefined,
  rootsFile: string | undefined,
  logKey?: string,
  hybridKeysFile?: string,
): Promise<Pick<VerifierExtensions, 'revocation' | 'delegation' | 'receipt' | 'signature'>> {
  let roots: TrustedKey[] = [];
  const out: { -readonly [K in 'revocation' | 'delegation' | 'receipt' | 'signature']?: NonNullable<VerifierExtensions[K]> } = {};
  if (logKey !== undefined) out.receipt = createReceiptCheck({ logKey: verifierKeyArg(logKey) });
  if (hybridKeysFile !== undefined) {
    try {
      out.signature = createHybridCheck({ keys: readFile(hybridKeysFile, 'hybrid keys JWKS'), require: true });
    } catch (e) {
      if (e instanceof SignetError) throw new InputError(`the hybrid keys JWKS ${hybridKeysFile} is not usable: ${e.code}: ${e.message}`);
      throw e;
    }
  }
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

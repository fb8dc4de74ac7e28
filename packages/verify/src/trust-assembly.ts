import { parseJwks, SignetError, type TrustedKey } from '@signet/core';
import { createDelegationCheck } from './delegation-check.js';
import { createHybridCheck } from './hybrid-check.js';
import { createReceiptCheck, type ReceiptCheckOptions } from './receipt-check.js';
import { createRevocationCheck } from './revocation-check.js';
import type { VerifierExtensions } from './verifier-types.js';

/** The extensions {@link assembleTrust} can build. */
export type TrustExtensions = Pick<VerifierExtensions, 'revocation' | 'delegation' | 'receipt' | 'signature'>;

/** What a relying party trusts beyond the issuer's keys. Every member is optional. */
export interface TrustInputs {
  /** The issuer's trusted keys (a JWKS document or parsed keys); they may sign revocations. */
  readonly trust: string | readonly TrustedKey[];
  /** A signed revocation list (its serialized form). */
  readonly revocations?: string;
  /** Root keys (a JWKS document) that certify delegated node keys; they may sign revocations too. */
  readonly roots?: string;
  /** The transparency log's verifier key(s): receipts are checked, and their time is what revocations and delegation windows are held to. */
  readonly logKey?: ReceiptCheckOptions['logKey'];
  /** ML-DSA-44 keys (a JWKS document): a hybrid signature becomes required. */
  readonly hybridKeys?: string;
}

/** Which input of {@link assembleTrust} was not usable; `cause` is the library error that said why. */
export class TrustInputError extends Error {
  override readonly name = 'TrustInputError';
  constructor(
    readonly input: 'hybridKeys' | 'roots' | 'revocations',
    override readonly cause: SignetError,
  ) {
    super(`${input}: ${cause.code}: ${cause.message}`);
  }
}

function blame<T>(input: TrustInputError['input'], build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof SignetError) throw new TrustInputError(input, e);
    throw e;
  }
}

/**
 * Assembles the verifier extensions for a relying party's trust: receipts against the log key,
 * required hybrid signatures, delegated keys certified by the roots, and a signed revocation list.
 *
 * Who may sign a revocation: the issuer's trusted keys and the roots, nobody else. An unusable
 * input is never ignored: it throws {@link TrustInputError} naming the input.
 */
export async function assembleTrust(inputs: TrustInputs): Promise<TrustExtensions> {
  const out: { -readonly [K in keyof TrustExtensions]?: NonNullable<TrustExtensions[K]> } = {};
  if (inputs.logKey !== undefined) out.receipt = createReceiptCheck({ logKey: inputs.logKey });
  const hybridKeys = inputs.hybridKeys;
  if (hybridKeys !== undefined) out.signature = blame('hybridKeys', () => createHybridCheck({ keys: hybridKeys, require: true }));
  let roots: TrustedKey[] = [];
  const rootsText = inputs.roots;
  if (rootsText !== undefined) {
    roots = blame('roots', () => parseJwks(rootsText));
    out.delegation = blame('roots', () => createDelegationCheck({ roots }));
  }
  if (inputs.revocations !== undefined) {
    const trusted = typeof inputs.trust === 'string' ? blame('revocations', () => parseJwks(inputs.trust as string)) : [...inputs.trust];
    try {
      out.revocation = (await createRevocationCheck([inputs.revocations], [...trusted, ...roots])).revocation;
    } catch (e) {
      if (e instanceof SignetError) throw new TrustInputError('revocations', e);
      throw e;
    }
  }
  return out;
}

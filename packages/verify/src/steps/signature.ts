import type { VerifierExtensions } from '../verifier-types.js';
import { fail, type Seal, type StepContext } from './context.js';

/** Signature: Ed25519 over the signed bytes, then any further signature an extension asks for (hybrid). */
export function signatureStep({ seal, config, found }: StepContext): void | Promise<void> {
  const key = found.key;
  if (key === undefined || !key.verify(seal.signature, seal.signedBytes))
    fail('SIGNET_E_SIG_INVALID', 'The signature does not verify: the envelope was altered or signed by another key.');
  const further = config.extensions.signature;
  if (further !== undefined) return furtherSignature(further, seal.cose);
}

async function furtherSignature(check: NonNullable<VerifierExtensions['signature']>, cose: Seal['cose']): Promise<void> {
  const extra = await check(cose);
  if (extra !== undefined) fail(extra.code, extra.message);
}

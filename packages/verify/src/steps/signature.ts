import { fail, type StepContext } from './context.js';

/** Signature: Ed25519 over the signed bytes, then any further signature an extension asks for (hybrid). */
export async function signatureStep({ seal, config, found }: StepContext): Promise<void> {
  const key = found.key;
  if (key === undefined || !key.verify(seal.signature, seal.signedBytes))
    fail('SIGNET_E_SIG_INVALID', 'The signature does not verify: the envelope was altered or signed by another key.');
  if (config.extensions.signature !== undefined) {
    const extra = await config.extensions.signature(seal.cose);
    if (extra !== undefined) fail(extra.code, extra.message);
  }
}

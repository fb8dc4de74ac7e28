import { fail, type StepContext } from './context.js';

/**
 * Receipt, in two parts around the validity step: the log's commitment time is what decides
 * whether a revoked key's envelope still counts, so the receipt is read first ({@link readReceipt})
 * and judged after validity ({@link judgeReceipt}), so that an expired key is reported as such.
 */
export function readReceipt({ seal, input, config, found }: StepContext): void | Promise<void> {
  if (config.extensions.receipt === undefined || seal.cose === undefined) return;
  return Promise.resolve(config.extensions.receipt(seal.cose, input.receipt)).then((outcome) => {
    if (outcome !== undefined) found.receipt = outcome;
  });
}

/** Fails on an invalid receipt, or on a missing one the policy requires. */
export function judgeReceipt({ config, found }: StepContext): void {
  const r = found.receipt;
  if (r !== undefined && !r.ok) fail(r.code, r.message);
  if (r === undefined && config.policy.requireReceipt === true)
    fail('SIGNET_E_RECEIPT_MISSING', 'The policy requires a transparency-log receipt and the envelope has none.');
}

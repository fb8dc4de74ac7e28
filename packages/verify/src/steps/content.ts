import { checkContentBinding, checkRequestBinding, isSignetError } from '@signet/core';
import { fail, type StepContext } from './context.js';

/**
 * Content: the binding rule of `@signet/core` (exact bytes, the response's one shape and every
 * choice, the response id, or one text), then the request digest. Exact matches only unless the
 * policy allows normalized ones.
 */
export function contentStep({ seal, input, config, found }: StepContext): void {
  const policy = config.policy;
  try {
    found.content = checkContentBinding(config.backend, seal.claims, input, {
      allowNormalized: policy.allowNormalized === true,
      allowPartial: policy.allowPartial === true,
      ...(policy.requireBody === undefined ? {} : { requireBody: policy.requireBody }),
    });
    found.requestChecked = checkRequestBinding(config.backend, seal.claims, input.request);
  } catch (e) {
    if (isSignetError(e)) fail(e.code, e.message, e.hint);
    throw e;
  }
}

/**
 * @signet/verify: verify Signet envelopes. Runs in browsers, edge runtimes and Node.js; depends on
 * nothing server-side.
 *
 * @packageDocumentation
 */
export * from './verifier.js';
export * from './trust.js';
export type * from './result.js';
export type * from './policy.js';
export type * from './types.js';

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
export * from './remote-jwks.js';
export * from './revocation-check.js';
export * from './delegation-check.js';
export * from './hybrid-check.js';
export * from './sealed-id.js';
export * from './verifying-fetch.js';
export * from './saved-response.js';
export * from './excerpt-check.js';
export * from './evidence-check.js';
export * from './receipt-check.js';
export * from './trust-assembly.js';
export * from './result-json.js';
export * from './explain.js';

/**
 * @signet/server: seal model responses in the serving path.
 *
 * @packageDocumentation
 */
export * from './signer.js';
export * from './terms.js';
export * from './keyfile.js';

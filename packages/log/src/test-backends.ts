// Test helper (not exported): the portable backend, so tests run every check on both backends.
export { nobleBackend as noble } from '@signet/core/noble';

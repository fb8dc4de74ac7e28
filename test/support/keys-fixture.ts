import { NO_AI_TRAINING, type TermsClaim } from '@signet/core';
import type { TermsConfig } from '@signet/server';

/** Shared inputs of the keys-* tests. */
export const ISSUER = 'https://api.example.com';
export const TERMS: TermsConfig = {
  id: 'example-api-terms',
  version: '2026-01',
  uri: 'https://example.com/terms/2026-01',
  document: 'No distillation.',
  usage: NO_AI_TRAINING,
};
export const SECRET = new Uint8Array(32).fill(1);
export const TEXT = 'The answer is 42.';
export const MODEL = 'gpt-4o-mini';
export type { TermsClaim };

/** A seal input for plain text. */
export function sealInput(account = 'acct_1', extra: Record<string, unknown> = {}) {
  return { account, response: TEXT, model: MODEL, ...extra };
}

import {
  getDefaultBackend,
  SignetError,
  utf8,
  validateUsage,
  type CryptoBackend,
  type TermsClaim,
  type UsagePreferences,
} from '@signet/core';

/** License terms as an operator configures them: the document itself is hashed into the envelope. */
export interface TermsConfig {
  readonly id: string;
  readonly version: string;
  readonly uri: string;
  /** The exact terms document (its SHA-256 goes into every envelope). */
  readonly document: string | Uint8Array;
  /** CAWG training-mining preferences, for example `{ "cawg.ai_training": "notAllowed" }`. */
  readonly usage: UsagePreferences;
}

/** Checks a terms configuration and computes the claim once (the document is hashed here, not per seal). */
export function termsClaim(config: TermsConfig | TermsClaim, backend: CryptoBackend = getDefaultBackend()): TermsClaim {
  if (config === null || typeof config !== 'object') throw new SignetError('SIGNET_E_CONFIG_INVALID', 'terms must be an object');
  for (const name of ['id', 'version', 'uri'] as const) {
    const v = config[name];
    if (typeof v !== 'string' || v.length === 0 || v.length > 1024) {
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `terms.${name} must be a non-empty string`, {
        hint: 'The terms file is JSON: { "id", "version", "uri", "document", "usage" }.',
      });
    }
  }
  const usage = validateUsage(config.usage);
  if ('digest' in config) {
    if (!(config.digest instanceof Uint8Array) || config.digest.length !== 32)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'terms.digest must be 32 bytes');
    return { id: config.id, version: config.version, uri: config.uri, digest: config.digest, usage };
  }
  const doc = config.document;
  if (typeof doc !== 'string' && !(doc instanceof Uint8Array)) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'terms.document must be the terms text', {
      hint: 'Give the document inline or as a path in the terms file.',
    });
  }
  const digest = backend.sha256(typeof doc === 'string' ? utf8(doc) : doc);
  return { id: config.id, version: config.version, uri: config.uri, digest, usage };
}

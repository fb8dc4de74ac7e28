import { SignetError } from '../primitives/errors.js';

/**
 * License terms an envelope is served under, and their machine-readable usage preferences.
 *
 * Usage preferences use the CAWG training-and-data-mining vocabulary (the `cawg.training-mining`
 * assertion): entries such as `cawg.ai_generative_training` with the values `allowed`,
 * `notAllowed` or `constrained`. In the envelope the four standard entries and the three values
 * are written as small integers (see docs/spec.md) to keep the seal small; other entry names are
 * kept as text.
 */

/** A CAWG training-mining value. */
export type UsageValue = 'allowed' | 'notAllowed' | 'constrained';

/** Usage preferences: CAWG entry name to value, for example `{ "cawg.ai_training": "notAllowed" }`. */
export type UsagePreferences = Readonly<Record<string, UsageValue>>;

/** The terms as they appear in an envelope. */
export interface TermsClaim {
  /** A stable identifier of the terms, for example `example-api-terms`. */
  readonly id: string;
  /** The version the response was served under, for example `2026-01`. */
  readonly version: string;
  /** SHA-256 of the exact bytes of the terms document. */
  readonly digest: Uint8Array;
  /** Where the terms document is published. */
  readonly uri: string;
  /** Machine-readable usage preferences. */
  readonly usage: UsagePreferences;
}

/** The four entries the CAWG assertion defines, with their compact envelope codes. */
export const CAWG_ENTRIES = ['cawg.data_mining', 'cawg.ai_inference', 'cawg.ai_generative_training', 'cawg.ai_training'] as const;
/** The three CAWG values, with their compact envelope codes (index). */
export const USAGE_VALUES: readonly UsageValue[] = ['allowed', 'notAllowed', 'constrained'];

const ENTRY_NAME = /^[a-z0-9_.-]{1,64}$/;

/** Checks usage preferences given by an operator; throws a typed error naming the bad entry. */
export function validateUsage(usage: unknown): UsagePreferences {
  if (usage === null || typeof usage !== 'object' || Array.isArray(usage)) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'Terms usage must be an object of CAWG entries.', {
      hint: 'For example { "cawg.ai_training": "notAllowed", "cawg.ai_generative_training": "notAllowed" }.',
    });
  }
  const out: Record<string, UsageValue> = {};
  for (const [name, value] of Object.entries(usage)) {
    if (!ENTRY_NAME.test(name)) throw new SignetError('SIGNET_E_CONFIG_INVALID', `Usage entry name "${name.slice(0, 64)}" is not valid.`);
    if (!USAGE_VALUES.includes(value as UsageValue)) {
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `Usage entry ${name} must be allowed, notAllowed or constrained.`);
    }
    out[name] = value as UsageValue;
  }
  return out;
}

/** The usage preferences Signet proposes for no-distillation terms. */
export const NO_AI_TRAINING: UsagePreferences = Object.freeze({
  'cawg.ai_training': 'notAllowed',
  'cawg.ai_generative_training': 'notAllowed',
});

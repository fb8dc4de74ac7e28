import defaultBackend from '#default-backend';
import type { CryptoBackend } from '../backend/types.js';

/**
 * The backend used when none is passed: node:crypto on Node.js (chosen by the package's `imports`
 * conditions), noble everywhere else. Resolved at build time, not by sniffing the runtime.
 */
export function getDefaultBackend(): CryptoBackend {
  return defaultBackend;
}

export type { CryptoBackend };

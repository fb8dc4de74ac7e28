import { statSync } from 'node:fs';
import { join } from 'node:path';
import { toJwks, type SignetError, type SigningKey } from '@signet/core';
import { openAccountStore, type AccountStore } from './accounts.js';
import type { GatewayOptions } from './gateway.js';
import { keyDelegation, loadAccountSecret, loadSigningKey, parseAccountSecret } from './keyfile.js';
import { followKeysDirectory } from './keys-directory.js';
import { createSigner } from './signer.js';
import { readTermsFile } from './terms-file.js';

/**
 * The gateway as deployed from files (Node-only): a keys directory or key file, an accounts file
 * and a terms file. `signet gateway` is this plus flags and a signal handler.
 */

/** Where a gateway's files are, and who hears about reload failures. */
export interface GatewayFilesOptions {
  /** A keys directory (followed: after a rotation the gateway signs with the new key) or one key file. */
  readonly keys: string;
  /**
   * The accounts file (reloaded when it changes), or an already open account store (the shared
   * SQLite or PostgreSQL store of `@signet/registry`'s `openAccounts`).
   */
  readonly accounts: string | AccountStore;
  /** The terms file (see {@link readTermsFile}). */
  readonly terms: string;
  /** The issuer named in envelopes. */
  readonly issuer: string;
  /** An account-tag secret file; else `accountSecretText`; else `KEYS/account-secret`. */
  readonly accountSecretFile?: string;
  /** The account-tag secret as text (for example from SIGNET_ACCOUNT_SECRET). */
  readonly accountSecretText?: string;
  /** A rotated key could not be loaded; the previous key stays in use. */
  onKeyReloadError?(): void;
  /** The accounts file could not be reloaded; the previous accounts stay in use. */
  onAccountsReloadError?(e: SignetError): void;
}

/** What the files give a gateway: merge with the upstream, hooks and the rest into {@link createGateway}. */
export type GatewayFiles = Pick<GatewayOptions, 'signer' | 'accounts' | 'jwks' | 'delegated'>;

/**
 * The account-tag secret: the file if given, else the text if non-empty, else the file
 * `account-secret` in `defaultDir`.
 */
export function resolveAccountSecret(file: string | undefined, text: string | undefined, defaultDir: string): Uint8Array {
  if (file !== undefined) return loadAccountSecret(file);
  if (text) return parseAccountSecret(text);
  return loadAccountSecret(join(defaultDir, 'account-secret'));
}

/**
 * Loads a gateway's signer, accounts and published keys from files. Every file is read here, so a
 * missing or bad one fails at startup with its typed error (SIGNET_E_KEY_FILE, SIGNET_E_CONFIG_INVALID ...).
 */
export function openGatewayFiles(options: GatewayFilesOptions): GatewayFiles {
  const initial = loadSigningKey(options.keys);
  const keySource = statSync(options.keys).isDirectory()
    ? followKeysDirectory(options.keys, options.onKeyReloadError === undefined ? {} : { onError: options.onKeyReloadError })
    : undefined;
  const key: SigningKey = keySource !== undefined ? keySource.reload() : initial;
  const accountSecret = resolveAccountSecret(options.accountSecretFile, options.accountSecretText, options.keys);
  const terms = readTermsFile(options.terms);
  const accounts =
    typeof options.accounts !== 'string'
      ? options.accounts
      : openAccountStore(
          options.accounts,
          options.onAccountsReloadError === undefined ? {} : { onReloadError: options.onAccountsReloadError },
        );
  // A key file (not a directory) publishes just that key.
  const fixed = toJwks([key]);
  return {
    signer: createSigner({ issuer: options.issuer, key: keySource ?? key, accountSecret, terms }),
    accounts,
    jwks: keySource ?? { jwks: () => fixed },
    // A node key directory (`signet keys delegate`) publishes the root: its envelopes carry the delegation.
    delegated: keyDelegation(key) !== undefined,
  };
}

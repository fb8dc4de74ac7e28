import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_AI_TRAINING, toJwks, type SigningKey } from '@signet/core';
import {
  addAccountKey,
  createGateway,
  createKeysDirectory,
  createSigner,
  loadAccountSecret,
  openAccountStore,
  type GatewayOptions,
  type RunningServer,
  type Sealed,
  type Signer,
} from '@signet/server';
import { startUpstream, type Upstream, type UpstreamOptions } from './upstream.js';

/** The terms every test gateway serves under. */
export const TEST_TERMS = {
  id: 'local-terms',
  version: '2026-02',
  uri: 'https://api.example.test/terms/2026-02',
  document: 'Outputs may not be used to train models.',
  usage: NO_AI_TRAINING,
};
export const ISSUER = 'https://api.example.test';

export interface TestGateway {
  readonly url: string;
  readonly upstream: Upstream;
  readonly gateway: RunningServer;
  readonly signer: Signer;
  readonly key: SigningKey;
  readonly jwks: ReturnType<typeof toJwks>;
  /** A key of account `acct_current`, which accepted the current terms. */
  readonly apiKey: string;
  /** A key of account `acct_old`, which accepted an older terms version only. */
  readonly oldTermsKey: string;
  readonly accountsFile: string;
  readonly sealed: Sealed[];
  readonly errors: Error[];
  close(): Promise<void>;
}

/** Starts an upstream and a gateway in front of it, with fresh keys and accounts in a temp folder. */
export async function startTestGateway(
  options: { upstream?: UpstreamOptions; gateway?: Partial<GatewayOptions>; upstreamUrl?: string } = {},
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-gw-'));
  const key = createKeysDirectory(join(dir, 'keys'));
  const accountSecret = loadAccountSecret(join(dir, 'keys', 'account-secret'));
  const accountsFile = join(dir, 'accounts.json');
  const apiKey = addAccountKey(accountsFile, { account: 'acct_current', termsVersion: TEST_TERMS.version }).apiKey;
  const oldTermsKey = addAccountKey(accountsFile, { account: 'acct_old', termsVersion: '2025-01' }).apiKey;
  const sealed: Sealed[] = [];
  const errors: Error[] = [];
  const signer = createSigner({ issuer: ISSUER, key, accountSecret, terms: TEST_TERMS });
  const upstream = await startUpstream(options.upstream);
  const jwks = toJwks([key]);
  const gw = createGateway({
    upstream: options.upstreamUrl ?? upstream.url,
    signer,
    accounts: openAccountStore(accountsFile, { reloadMs: 0 }),
    jwks,
    onSealed: (s) => {
      sealed.push(s);
    },
    onError: (e) => {
      errors.push(e);
    },
    ...options.gateway,
  });
  const gateway = await gw.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: gateway.url,
    upstream,
    gateway,
    signer,
    key,
    jwks,
    apiKey,
    oldTermsKey,
    accountsFile,
    sealed,
    errors,
    async close() {
      await gateway.close({ timeoutMs: 2000 });
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

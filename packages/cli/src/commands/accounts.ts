import { openAccounts, type AccountKeyRow } from '@signet/registry';
import { acceptAccountTerms, addAccountKey, readAccountsFile, revokeAccountKeys } from '@signet/server';
import { flag, optional, required, UsageError, type FlagSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';

/**
 * `signet accounts ...`: the gateway's API keys, in an accounts store (`--accounts DB|URL`: a
 * SQLite file or a PostgreSQL URL, shared by a fleet of gateways) or in an accounts JSON file
 * (`--file FILE`, the format of earlier releases).
 */

const WHERE: FlagSpec = {
  accounts: { value: 'DB|URL', help: 'the accounts store: a SQLite file (created if missing) or a postgres:// URL' },
  'accounts-schema': { value: 'NAME', help: 'PostgreSQL schema of the accounts store' },
  file: { value: 'FILE', help: 'an accounts JSON file instead of a store' },
};

/** What every command does to keys, on a store or a file. */
interface Keys {
  add(account: string, termsVersion: string): Promise<{ apiKey: string; entry: AccountKeyRow }>;
  list(): Promise<readonly AccountKeyRow[]>;
  revoke(which: { account?: string; keyId?: string }): Promise<number>;
  accept(account: string, termsVersion: string): Promise<number>;
  close(): Promise<void>;
}

async function openKeys(
  args: ParsedArgs,
): Promise<Keys & { importKeys?: (rows: readonly AccountKeyRow[]) => Promise<{ added: number; skipped: number }> }> {
  const store = optional(args, 'accounts');
  const file = optional(args, 'file');
  if ((store === undefined) === (file === undefined)) throw new UsageError('give exactly one of --accounts DB|URL and --file FILE');
  if (file !== undefined) {
    return {
      add: async (account, termsVersion) => addAccountKey(file, { account, termsVersion }),
      list: async () => readAccountsFile(file).accounts,
      revoke: async (which) => revokeAccountKeys(file, which),
      accept: async (account, v) => acceptAccountTerms(file, account, v),
      close: async () => undefined,
    };
  }
  const schema = optional(args, 'accounts-schema');
  const s = await openAccounts(store as string, { watch: false, ...(schema === undefined ? {} : { schema }) });
  return {
    add: (account, termsVersion) => s.add({ account, termsVersion }),
    list: () => s.list(),
    revoke: (which) => s.revoke(which),
    accept: (account, v) => s.accept(account, v),
    importKeys: (rows) => s.importKeys(rows),
    close: () => s.close(),
  };
}

async function withKeys<T>(args: ParsedArgs, fn: (k: Awaited<ReturnType<typeof openKeys>>) => Promise<T>): Promise<T> {
  const keys = await openKeys(args);
  try {
    return await fn(keys);
  } finally {
    await keys.close();
  }
}

/** `signet accounts add`: creates an API key for an account; the key is printed once, stored hashed. */
export const accountsAdd: Command = defineCommand({
  name: ['accounts', 'add'],
  summary: 'create a gateway API key for an account (printed once, stored hashed)',
  flags: {
    ...WHERE,
    account: { value: 'ID', required: true, help: 'the account the key belongs to' },
    'terms-version': { value: 'V', required: true, help: 'the terms version the account accepted' },
  },
  text: `Creates an API key for account ID, recording that the account accepted terms version V, and
stores its SHA-256 hash (a file is created with mode 0600 if missing). The key is printed on stdout
once; it cannot be recovered. To record that an account accepted newer terms, use
"signet accounts accept": its keys stay the same.`,
  async run(args, io) {
    const { apiKey, entry } = await withKeys(args, (k) => k.add(required(args, 'account'), required(args, 'terms-version')));
    io.stdout(`${apiKey}\n`);
    io.stderr(
      `signet: key ${entry.keyId} for account ${entry.account} (terms ${entry.termsVersion}). Hand the key over now: only its hash is stored.\n`,
    );
    return 0;
  },
});

/** `signet accounts list`. */
export const accountsList: Command = defineCommand({
  name: ['accounts', 'list'],
  summary: 'list the API keys of an accounts store (never the keys themselves)',
  flags: { ...WHERE, json: { help: 'print JSON' } },
  text: 'Lists key id, account, accepted terms version, creation time and status of every key.',
  async run(args, io) {
    const rows = await withKeys(args, (k) => k.list());
    if (flag(args, 'json')) {
      io.stdout(
        `${JSON.stringify(
          rows.map(({ keyHash: _hash, ...rest }) => rest),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const table = [
      ['KEY', 'ACCOUNT', 'TERMS', 'CREATED', 'STATUS'],
      ...rows.map((e) => [e.keyId, e.account, e.termsVersion, e.created, e.revoked === undefined ? 'active' : `revoked ${e.revoked}`]),
    ];
    const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((r) => (r[i] as string).length)));
    for (const r of table) io.stdout(`${r.map((c, i) => (i < 4 ? c.padEnd(widths[i] as number) : c)).join('  ')}\n`);
    return 0;
  },
});

/** `signet accounts revoke`. */
export const accountsRevoke: Command = defineCommand({
  name: ['accounts', 'revoke'],
  summary: 'revoke the API keys of an account, or one key',
  flags: {
    ...WHERE,
    account: { value: 'ID', help: 'revoke every key of this account' },
    key: { value: 'KEY_ID', help: 'revoke this key' },
  },
  text: `Marks the keys revoked. Every running gateway using the store refuses them within its
--accounts-refresh-ms (default one second); a gateway on an accounts file within a second.`,
  async run(args, io) {
    const account = optional(args, 'account');
    const keyId = optional(args, 'key');
    if ((account === undefined) === (keyId === undefined)) throw new UsageError('give exactly one of --account and --key');
    const count = await withKeys(args, (k) =>
      k.revoke({ ...(account === undefined ? {} : { account }), ...(keyId === undefined ? {} : { keyId }) }),
    );
    io.stdout(`revoked ${count} key${count === 1 ? '' : 's'}\n`);
    return count > 0 ? 0 : 1;
  },
});

/** `signet accounts accept`: an account accepted new terms (its keys stay). */
export const accountsAccept: Command = defineCommand({
  name: ['accounts', 'accept'],
  summary: 'record that an account accepted a terms version (its keys stay the same)',
  flags: {
    ...WHERE,
    account: { value: 'ID', required: true, help: 'the account' },
    'terms-version': { value: 'V', required: true, help: 'the terms version it accepted' },
  },
  text: 'Updates the account: gateways serving terms version V accept its keys from then on. Exit 1: no such account.',
  async run(args, io) {
    const n = await withKeys(args, (k) => k.accept(required(args, 'account'), required(args, 'terms-version')));
    io.stdout(`${n} key${n === 1 ? '' : 's'} of ${required(args, 'account')} now on terms ${required(args, 'terms-version')}\n`);
    return n > 0 ? 0 : 1;
  },
});

/** `signet accounts import`: an accounts JSON file into a store. */
export const accountsImport: Command = defineCommand({
  name: ['accounts', 'import'],
  summary: 'copy the keys of an accounts JSON file into an accounts store',
  flags: {
    accounts: { value: 'DB|URL', required: true, help: 'the accounts store: a SQLite file or a postgres:// URL' },
    'accounts-schema': WHERE['accounts-schema'] as FlagSpec[string],
    from: { value: 'FILE', required: true, help: 'the accounts JSON file' },
  },
  text: 'Keys already in the store are skipped, so the import can be run again. Revoked keys stay revoked.',
  async run(args, io) {
    const rows = readAccountsFile(required(args, 'from')).accounts;
    const r = await withKeys(args, async (k) => (k.importKeys as NonNullable<typeof k.importKeys>)(rows));
    io.stdout(`imported ${r.added} key${r.added === 1 ? '' : 's'}, ${r.skipped} already there\n`);
    return 0;
  },
});

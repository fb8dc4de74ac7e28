import { openAccounts, type SharedAccounts } from '@signet/registry';
import { accountsFileAdmin, readAccountsFile, type AccountsAdmin } from '@signet/server';
import { flag, optional, required, UsageError, type FlagSpec, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';

/** `signet accounts ...`: API keys in an accounts store (SQLite file or PostgreSQL URL) or a JSON file. */
const WHERE: FlagSpec = {
  accounts: { value: 'DB|URL', help: 'the accounts store: a SQLite file (created if missing) or a postgres:// URL' },
  'accounts-schema': { value: 'NAME', help: 'PostgreSQL schema of the accounts store' },
  file: { value: 'FILE', help: 'an accounts JSON file instead of a store' },
};
const ACCOUNT = { value: 'ID', required: true, help: 'the account' } as const;
const TERMS = { value: 'V', required: true, help: 'the terms version the account accepted' } as const;

type Keys = AccountsAdmin & { importKeys?: SharedAccounts['importKeys'] };

async function withKeys<T>(args: ParsedArgs, fn: (k: Keys) => Promise<T>): Promise<T> {
  const [store, file, schema] = [optional(args, 'accounts'), optional(args, 'file'), optional(args, 'accounts-schema')];
  if ((store === undefined) === (file === undefined)) throw new UsageError('give exactly one of --accounts DB|URL and --file FILE');
  const opened =
    file === undefined ? openAccounts(store as string, { watch: false, ...(schema === undefined ? {} : { schema }) }) : undefined;
  const keys: Keys = opened === undefined ? accountsFileAdmin(file as string) : await opened;
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
    account: ACCOUNT,
    'terms-version': TERMS,
    json: { help: 'print {"apiKey", "keyId", "account", "termsVersion"} as JSON' },
  },
  text: `Creates an API key for account ID, which accepted terms version V, and stores its SHA-256 hash (a file
is created with mode 0600). The key is printed once. Newer terms: "signet accounts accept" (keys stay).`,
  async run(args, io) {
    const { apiKey, entry } = await withKeys(args, (k) =>
      k.add({ account: required(args, 'account'), termsVersion: required(args, 'terms-version') }),
    );
    if (flag(args, 'json')) {
      io.stdout(`${JSON.stringify({ apiKey, keyId: entry.keyId, account: entry.account, termsVersion: entry.termsVersion })}\n`);
      return 0;
    }
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
  flags: { ...WHERE, json: { help: 'print JSON instead of a table' } },
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
    key: { value: 'KEY_ID', help: 'revoke this one key' },
  },
  text: 'Give exactly one of --account and --key. Every gateway refuses the keys within a second (--accounts-refresh-ms).',
  async run(args, io) {
    const [account, keyId] = [optional(args, 'account'), optional(args, 'key')];
    if ((account === undefined) === (keyId === undefined)) throw new UsageError('give exactly one of --account and --key');
    const count = await withKeys(args, (k) => k.revoke(account === undefined ? { keyId: keyId as string } : { account }));
    io.stdout(flag(args, 'json') ? `${JSON.stringify({ revoked: count })}\n` : `revoked ${count} key${count === 1 ? '' : 's'}\n`);
    // Nothing matched: the input names no key (exit 2), not an invalid verdict (exit 1).
    return count > 0 ? 0 : 2;
  },
});

/** `signet accounts accept`: an account accepted new terms (its keys stay). */
export const accountsAccept: Command = defineCommand({
  name: ['accounts', 'accept'],
  summary: 'record that an account accepted a terms version (its keys stay the same)',
  flags: { ...WHERE, account: ACCOUNT, 'terms-version': TERMS },
  text: "Gateways serving terms version V accept the account's keys from then on. Exit 2: no such account.",
  async run(args, io) {
    const n = await withKeys(args, (k) => k.accept(required(args, 'account'), required(args, 'terms-version')));
    io.stdout(`${n} key${n === 1 ? '' : 's'} of ${required(args, 'account')} now on terms ${required(args, 'terms-version')}\n`);
    return n > 0 ? 0 : 2;
  },
});

/** `signet accounts import`: an accounts JSON file into a store. */
export const accountsImport: Command = defineCommand({
  name: ['accounts', 'import'],
  summary: 'copy the keys of an accounts JSON file into an accounts store',
  flags: { ...WHERE, from: { value: 'FILE', required: true, help: 'the accounts JSON file' } },
  text: 'Keys already in the store are skipped, so it can run again. Revoked keys stay revoked.',
  async run(args, io) {
    const rows = readAccountsFile(required(args, 'from')).accounts;
    const r = await withKeys(args, async (k) => {
      if (k.importKeys === undefined) throw new UsageError('import into a store: --accounts DB|URL');
      return k.importKeys(rows);
    });
    io.stdout(`imported ${r.added} key${r.added === 1 ? '' : 's'}, ${r.skipped} already there\n`);
    return 0;
  },
});

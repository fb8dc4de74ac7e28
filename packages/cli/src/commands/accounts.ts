import { addAccountKey, readAccountsFile, revokeAccountKeys } from '@signet/server';
import { flag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';

const FILE = { value: 'FILE', help: 'the accounts file', required: true } as const;

/** `signet accounts add`: creates an API key for an account; the key is printed once, stored hashed. */
export const accountsAdd: Command = defineCommand({
  name: ['accounts', 'add'],
  summary: 'create a gateway API key for an account (printed once, stored hashed)',
  flags: {
    file: FILE,
    account: { value: 'ID', help: 'the account id', required: true },
    'terms-version': { value: 'V', help: 'the terms version the account accepted', required: true },
    json: { help: 'print {"apiKey", "keyId", "account", "termsVersion"} as JSON' },
  },
  text: `Creates an API key for account ID, recording that the account accepted terms version V, and adds
its SHA-256 hash to the accounts file (created with mode 0600 if missing). The key is printed on
stdout once; it cannot be recovered from the file. Run it again to record a newer terms version
(the gateway answers 403 to keys whose terms version is not the one it serves).`,
  async run(args, io) {
    const { apiKey, entry } = addAccountKey(required(args, 'file'), {
      account: required(args, 'account'),
      termsVersion: required(args, 'terms-version'),
    });
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
  summary: 'list the API keys of an accounts file (never the keys themselves)',
  flags: { file: FILE, json: { help: 'print JSON instead of a table' } },
  text: `Lists key id, account, accepted terms version, creation time and status of every key.`,
  async run(args, io) {
    const file = readAccountsFile(required(args, 'file'));
    if (flag(args, 'json')) {
      io.stdout(
        `${JSON.stringify(
          file.accounts.map(({ keyHash: _hash, ...rest }) => rest),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const rows = [
      ['KEY', 'ACCOUNT', 'TERMS', 'CREATED', 'STATUS'],
      ...file.accounts.map((e) => [
        e.keyId,
        e.account,
        e.termsVersion,
        e.created,
        e.revoked === undefined ? 'active' : `revoked ${e.revoked}`,
      ]),
    ];
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
    for (const r of rows) io.stdout(`${r.map((c, i) => (i < 4 ? c.padEnd(widths[i] as number) : c)).join('  ')}\n`);
    return 0;
  },
});

/** `signet accounts revoke`. */
export const accountsRevoke: Command = defineCommand({
  name: ['accounts', 'revoke'],
  summary: 'revoke the API keys of an account, or one key',
  flags: {
    file: FILE,
    account: { value: 'ID', help: 'revoke every key of this account' },
    key: { value: 'KEY_ID', help: 'revoke this one key' },
    json: { help: 'print {"revoked": N} as JSON' },
  },
  text: `Give exactly one of --account and --key. Marks the keys revoked. A running gateway picks the change up within a second.
Exit 2 when no key matched (nothing was revoked).`,
  async run(args, io) {
    const account = optional(args, 'account');
    const keyId = optional(args, 'key');
    if ((account === undefined) === (keyId === undefined)) throw new UsageError('give exactly one of --account and --key');
    const count = revokeAccountKeys(required(args, 'file'), {
      ...(account === undefined ? {} : { account }),
      ...(keyId === undefined ? {} : { keyId }),
    });
    if (flag(args, 'json')) io.stdout(`${JSON.stringify({ revoked: count })}\n`);
    else io.stdout(`revoked ${count} key${count === 1 ? '' : 's'}\n`);
    // Nothing matched: the input names no key (exit 2), which is not an invalid verdict (exit 1).
    return count > 0 ? 0 : 2;
  },
});

import { SignetError, toBase64url } from '@signet/core';
import {
  accountSecretPathOf,
  loadAccountSecret,
  openEnvelopeAccount,
  parseAccountList,
  parseAccountSecret,
  unverifiedClaims,
} from '@signet/server';
import { openSealedId } from '@signet/verify';
import { flag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { readEnvelope } from '../envelope-input.js';
import { InputError, readJson, readText } from '../io.js';
import { shown } from '../terminal.js';

/** `signet account open`: which account an envelope was issued to. */
export const accountOpen: Command = defineCommand({
  name: ['account', 'open'],
  summary: "resolve an envelope's account tag or commitment (provider), or its sealed id (auditor)",
  flags: {
    envelope: { value: 'FILE|-', help: 'the envelope (a file, or - for stdin)', required: true },
    keys: { value: 'DIR', help: 'the keys directory' },
    'account-secret-file': { value: 'FILE', help: 'the account-tag secret file' },
    accounts: { value: 'FILE', help: 'the accounts file, to name the account behind a tag' },
    'auditor-key': { value: 'FILE', help: "an auditor's private key, to open a sealed account id" },
    json: { help: 'print JSON instead of text' },
  },
  synopsis: ['--envelope FILE|- --auditor-key FILE [--json]'],
  text: `Provider side: finds which account in --accounts (one id per line) the envelope's linkable tag or
unlinkable commitment belongs to, using the account secret (DIR/account-secret). For a commitment
it also prints the salt: publishing (account id, salt) lets anyone check the opening.
Auditor side: decrypts the envelope's sealed account id with the auditor's private key.
This command does not verify the seal: run \`signet verify\` for that. Exit 1: no match.`,
  async run(args, io) {
    const claims = unverifiedClaims(await readEnvelope(io, required(args, 'envelope')));
    const json = flag(args, 'json');
    const auditorKey = optional(args, 'auditor-key');
    if (auditorKey !== undefined) {
      if (claims.account.sealedId === undefined)
        throw new InputError('the envelope carries no sealed account id (its signer named no auditors)');
      const jwk = (await readJson(io, auditorKey)) as Record<string, unknown>;
      let accountId: string;
      try {
        accountId = await openSealedId(claims.account.sealedId, jwk);
      } catch (e) {
        // Not sealed to this key: a wrong key is "could not check" (2), not a verdict on the envelope.
        if (e instanceof SignetError && e.code === 'SIGNET_E_INPUT_INVALID') throw new InputError(`${e.code}: ${e.message}`);
        throw e;
      }
      io.stdout(json ? `${JSON.stringify({ accountId, source: 'sealedId', responseId: claims.responseId })}\n` : `${accountId}\n`);
      return 0;
    }
    const dir = optional(args, 'keys');
    const secretFile = optional(args, 'account-secret-file');
    if ((dir === undefined) === (secretFile === undefined) && io.env.SIGNET_ACCOUNT_SECRET === undefined)
      throw new UsageError('give --keys DIR or --account-secret-file FILE (or --auditor-key)');
    let secretPath = secretFile;
    if (dir !== undefined) {
      secretPath = accountSecretPathOf(dir);
      if (secretPath === undefined) throw new InputError(`cannot read ${dir}`);
    }
    const secret = secretPath !== undefined ? loadAccountSecret(secretPath) : parseAccountSecret(io.env.SIGNET_ACCOUNT_SECRET as string);
    const list = parseAccountList(await readText(io, required(args, 'accounts')));
    const opened = openEnvelopeAccount(secret, claims, list);
    if (opened === undefined) {
      if (json) io.stdout(`${JSON.stringify({ found: false, mode: claims.account.mode, candidates: list.length })}\n`);
      else
        io.stderr(
          `no account among ${list.length} candidates matches this ${claims.account.mode === 'commitment' ? 'commitment' : 'tag'}\n`,
        );
      return 1;
    }
    const salt = opened.salt === undefined ? undefined : toBase64url(opened.salt);
    if (json)
      io.stdout(
        `${JSON.stringify({ found: true, accountId: opened.accountId, mode: opened.mode, ...(salt === undefined ? {} : { salt }), responseId: claims.responseId })}\n`,
      );
    else
      io.stdout(
        `${shown(opened.accountId)}\n  mode ${opened.mode}${salt === undefined ? '' : `\n  opening salt ${salt} (with the account id, anyone can check the commitment)`}\n`,
      );
    return 0;
  },
});

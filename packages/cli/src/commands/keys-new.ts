import { join } from 'node:path';
import { createKeysDirectory, KEY_FILES } from '@signet/server';
import { flag, optional, parseArgs, required, UsageError } from '../args.js';
import type { Command } from '../command.js';

function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be an ISO time or seconds since the epoch`);
  return Math.floor(ms / 1000);
}

/** `signet keys new`: a fresh signing key, its JWKS and an account-tag secret. */
export const keysNew: Command = {
  name: ['keys', 'new'],
  summary: 'create a signing key, its public JWKS and an account-tag secret',
  usage: `Usage: signet keys new --out DIR [--not-before TIME] [--not-after TIME] [--force] [--json]

Writes DIR/signing-key.jwk (private, mode 0600), DIR/jwks.json (public: publish it)
and DIR/account-secret (private, mode 0600: the secret behind account tags).
--not-before/--not-after set the key's validity window (ISO time or epoch seconds).`,
  async run(argv, io) {
    const args = parseArgs(argv, { out: 'string', 'not-before': 'string', 'not-after': 'string', force: 'boolean', json: 'boolean' });
    const dir = required(args, 'out');
    const notBefore = parseTime(optional(args, 'not-before'), 'not-before');
    const notAfter = parseTime(optional(args, 'not-after'), 'not-after');
    const key = createKeysDirectory(
      dir,
      { ...(notBefore === undefined ? {} : { notBefore }), ...(notAfter === undefined ? {} : { notAfter }) },
      { overwrite: flag(args, 'force') },
    );
    const files = {
      signingKey: join(dir, KEY_FILES.signingKey),
      jwks: join(dir, KEY_FILES.jwks),
      accountSecret: join(dir, KEY_FILES.accountSecret),
    };
    if (flag(args, 'json')) io.stdout(`${JSON.stringify({ kid: key.kid, files })}\n`);
    else
      io.stdout(
        `created signing key ${key.kid}\n  private key:    ${files.signingKey} (mode 0600)\n  public JWKS:    ${files.jwks}\n  account secret: ${files.accountSecret} (mode 0600)\n`,
      );
    return 0;
  },
};

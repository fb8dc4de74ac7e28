import { join } from 'node:path';
import { createKeysDirectory, KEY_FILES, type MovedAside } from '@signet/server';
import { flag, optional, required } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { parseTimeArg } from '../time-args.js';

/** `signet keys new`: a fresh signing key, its JWKS and an account-tag secret. */
export const keysNew: Command = defineCommand({
  name: ['keys', 'new'],
  summary: 'create a signing key, its public JWKS and an account-tag secret',
  flags: {
    out: { value: 'DIR', help: 'the keys directory to create', required: true },
    'not-before': { value: 'TIME', help: 'start of the key validity window (ISO time or epoch seconds)' },
    'not-after': { value: 'TIME', help: 'end of the key validity window (ISO time or epoch seconds)' },
    force: { help: 'replace existing files' },
    json: { help: 'print JSON instead of text' },
  },
  text: `Writes DIR/signing-key.jwk (private, mode 0600), DIR/jwks.json (public: publish it)
and DIR/account-secret (private, mode 0600: the secret behind account tags).
--not-before/--not-after set the key's validity window (ISO time or epoch seconds).`,
  async run(args, io) {
    const dir = required(args, 'out');
    const [nbf, naf] = [optional(args, 'not-before'), optional(args, 'not-after')];
    const notBefore = nbf === undefined ? undefined : parseTimeArg(nbf, 'not-before');
    const notAfter = naf === undefined ? undefined : parseTimeArg(naf, 'not-after');
    const movedAside: MovedAside[] = [];
    const key = createKeysDirectory(
      dir,
      { ...(notBefore === undefined ? {} : { notBefore }), ...(notAfter === undefined ? {} : { notAfter }) },
      { overwrite: flag(args, 'force'), onMovedAside: (m) => movedAside.push(m) },
    );
    const files = {
      signingKey: join(dir, KEY_FILES.signingKey),
      jwks: join(dir, KEY_FILES.jwks),
      accountSecret: join(dir, KEY_FILES.accountSecret),
    };
    if (flag(args, 'json')) io.stdout(`${JSON.stringify({ kid: key.kid, files, movedAside })}\n`);
    else
      io.stdout(
        `created signing key ${key.kid}\n  private key:    ${files.signingKey} (mode 0600)\n  public JWKS:    ${files.jwks}\n  account secret: ${files.accountSecret} (mode 0600)\n${movedAside
          .map((m) => `  the old ${m.path} is now ${m.movedTo} (keep it: past account tags need the old secret)\n`)
          .join('')}`,
      );
    return 0;
  },
});

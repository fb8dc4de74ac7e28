import { join } from 'node:path';
import { generateAuditorKey } from '@signet/server';
import { flag, required } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { writePrivate, writePublicFile } from '../io.js';

/** `signet keys auditor`: an auditor's X25519 key pair for sealed account ids. */
export const keysAuditor: Command = defineCommand({
  name: ['keys', 'auditor'],
  summary: 'create an auditor key pair (X25519) for sealed account ids',
  flags: {
    out: { value: 'DIR', help: 'the folder for the auditor key pair', required: true },
    force: { help: 'replace an existing key pair (the old private key is moved aside, never deleted)' },
    json: { help: 'print JSON instead of text' },
  },
  text: `Writes DIR/auditor-key.jwk (private, mode 0600: the auditor keeps it) and DIR/auditor-jwks.json
(public: give it to the provider, whose signer then encrypts every account id to it).
Open a sealed id with \`signet account open --auditor-key DIR/auditor-key.jwk --envelope FILE\`.
An existing key pair is never overwritten: with --force the old private key is moved aside to
auditor-key.jwk.replaced-<time> (sealed ids made for it still need it).`,
  async run(args, io) {
    const dir = required(args, 'out');
    const { privateJwk, publicJwk } = await generateAuditorKey();
    const priv = join(dir, 'auditor-key.jwk');
    const pub = join(dir, 'auditor-jwks.json');
    const movedAside = writePrivate([{ path: priv, data: `${JSON.stringify(privateJwk, null, 2)}\n` }], flag(args, 'force'), io);
    writePublicFile(pub, `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
    if (flag(args, 'json')) io.stdout(`${JSON.stringify({ kid: publicJwk.kid, files: { privateKey: priv, jwks: pub }, movedAside })}\n`);
    else
      io.stdout(
        `created auditor key ${publicJwk.kid ?? ''}\n  private key: ${priv} (mode 0600)\n  public JWKS: ${pub}\n${movedAside.map((m) => `  the old ${m.path} is now ${m.movedTo}\n`).join('')}`,
      );
    return 0;
  },
});

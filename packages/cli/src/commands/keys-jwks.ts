import { publishedJwks } from '@signet/server';
import { flag, optional, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { writePublicFile } from '../io.js';

/** `signet keys jwks`: prints the public JWKS to publish. */
export const keysJwks: Command = defineCommand({
  name: ['keys', 'jwks'],
  summary: 'print the public JWKS of a keys directory or key file',
  flags: {
    keys: { value: 'DIR', help: 'the keys directory' },
    key: { value: 'FILE', help: 'a signing key file' },
    out: { value: 'FILE', help: 'write the JWKS to FILE instead of printing it' },
    json: { help: 'print JSON instead of text' },
  },
  text: `Prints the JWKS to publish (for example at /.well-known/jwks.json): for a keys directory, its
jwks.json, checked strictly (every key, every kid); for a private key file, its public key.
Never prints private key material. --out writes it to FILE instead (mode 0644).`,
  async run(args, io) {
    const dir = optional(args, 'keys');
    const file = optional(args, 'key');
    if ((dir === undefined) === (file === undefined)) throw new UsageError('give exactly one of --keys or --key');
    const jwks = publishedJwks(dir !== undefined ? { dir } : { keyFile: file as string });
    const text = flag(args, 'json') ? `${JSON.stringify(jwks)}\n` : `${JSON.stringify(jwks, null, 2)}\n`;
    const out = optional(args, 'out');
    if (out !== undefined) {
      writePublicFile(out, text);
      io.stderr(`wrote ${jwks.keys.length} key(s) to ${out}\n`);
    } else io.stdout(text);
    return 0;
  },
});

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJwks, toJwks } from '@signet/core';
import { KEY_FILES, loadSigningKey } from '@signet/server';
import { flag, optional, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { readTextFile } from '@signet/core/node-fs';
import { InputError, writePublicFile } from '../io.js';

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
    let jwks;
    if (dir !== undefined) {
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        // Reported below as an unreadable JWKS.
      }
      if (!isDir) throw new InputError(`cannot read ${join(dir, KEY_FILES.jwks)}`);
      const text = readTextFile(join(dir, KEY_FILES.jwks), 'JWKS', 1_000_000);
      jwks = toJwks(parseJwks(text));
    } else {
      jwks = toJwks([loadSigningKey(file as string)]);
    }
    const text = flag(args, 'json') ? `${JSON.stringify(jwks)}\n` : `${JSON.stringify(jwks, null, 2)}\n`;
    const out = optional(args, 'out');
    if (out !== undefined) {
      writePublicFile(out, text);
      io.stderr(`wrote ${jwks.keys.length} key(s) to ${out}\n`);
    } else io.stdout(text);
    return 0;
  },
});

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generatePqSigningKey } from '@signet/core';
import { KEY_FILES } from '@signet/server';
import { flag, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { writePrivate, writePublicFile } from '../io.js';

/** `signet keys pq`: adds an ML-DSA-44 key to a keys directory, for hybrid seals. */
export const keysPq: Command = defineCommand({
  name: ['keys', 'pq'],
  summary: 'add an ML-DSA-44 key to a keys directory: its seals become hybrid (post-quantum)',
  flags: {
    keys: { value: 'DIR', help: 'the keys directory', required: true },
    force: { help: 'replace existing files' },
    json: { help: 'print JSON instead of text' },
  },
  text: `Writes DIR/pq-signing-key.jwk (private, mode 0600) and DIR/pq-jwks.json (public: publish it next
to jwks.json). From then on \`signet sign --key DIR\` and the gateway's \`--keys DIR\` add an
ML-DSA-44 signature to every envelope (about 2.5 KB more, and much slower to sign: see
docs/keys.md). Verifiers require both signatures with \`signet verify --hybrid-keys DIR/pq-jwks.json\`;
others still check the Ed25519 signature alone. Remove both files to stop.`,
  async run(args, io) {
    const dir = required(args, 'keys');
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir || !existsSync(join(dir, KEY_FILES.signingKey)))
      throw new UsageError(`${dir} is not a keys directory (run \`signet keys new\` first)`);
    const file = join(dir, KEY_FILES.pqSigningKey);
    const key = generatePqSigningKey();
    writePrivate([{ path: file, data: `${JSON.stringify(key.toPrivateJwk(), null, 2)}\n` }], flag(args, 'force'), io);
    const jwks = join(dir, KEY_FILES.pqJwks);
    writePublicFile(jwks, `${JSON.stringify({ keys: [key.toPublicJwk()] }, null, 2)}\n`);
    if (flag(args, 'json')) io.stdout(`${JSON.stringify({ kid: key.kid, files: { privateKey: file, jwks } })}\n`);
    else io.stdout(`created ML-DSA-44 key ${key.kid}\n  private key: ${file} (mode 0600)\n  public JWKS: ${jwks} (publish it)\n`);
    return 0;
  },
});

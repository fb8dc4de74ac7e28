import { writeVerifyPage } from '@signet/verify-page/node';
import { optional, required } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';

/** `signet verify-page`: the verifier page as one file for static hosting. */
export const verifyPage: Command = defineCommand({
  name: ['verify-page'],
  summary: 'write the verifier page, one self-contained HTML file, for static hosting (signet gateway serves it at /signet/verify)',
  flags: { out: { value: 'DIR', required: true }, jwks: { value: 'FILE', help: 'preload these public keys' }, source: { value: 'NAME' } },
  async run(args, io) {
    io.stderr(`wrote ${writeVerifyPage(required(args, 'out'), optional(args, 'jwks'), optional(args, 'source'))}\n`);
    return 0;
  },
});

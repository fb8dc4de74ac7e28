import { describeUnverifiedEnvelope } from '@signet/server';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { readEnvelope } from '../envelope-input.js';

/** `signet inspect`: decodes an envelope and prints its claims WITHOUT verifying anything. */
export const inspect: Command = defineCommand({
  name: ['inspect'],
  summary: 'decode an envelope and print its claims (does NOT verify)',
  flags: {},
  operands: 'ENVELOPE|-',
  text: `ENVELOPE is a file, "-" for stdin, or the base64url envelope itself. Prints the header and claims
as JSON. Nothing is verified: use "signet verify" to check a seal.`,
  async run(args, io) {
    const source = args.positionals[0];
    if (source === undefined || args.positionals.length > 1) throw new UsageError('give one envelope (a file, "-" or the text)');
    const out = describeUnverifiedEnvelope(await readEnvelope(io, source, true));
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    io.stderr('note: inspect decodes only; nothing was verified.\n');
    return 0;
  },
});

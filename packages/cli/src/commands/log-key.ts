import { loadLogKey, openLog } from '@signet/log';
import { optional } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { logTarget, schemaOption } from './log-common.js';

/** `signet log key`: prints the log's verifier key. */
export const logKey: Command = defineCommand({
  name: ['log', 'key'],
  summary: "print a log's verifier key (C2SP note key format)",
  flags: {
    log: { value: 'DB|URL', help: 'the log database file or PostgreSQL URL' },
    'log-key': { value: 'FILE', help: 'the log key file' },
    schema: { value: 'NAME', help: 'the PostgreSQL schema of the log' },
  },
  synopsis: ['--log-key FILE'],
  text: `Prints the verifier key "<origin>+<key id>+<base64 key>" that checkpoint and receipt verifiers
need (signet log verify, signet log monitor, createReceiptCheck). Read from the log's metadata,
so the private key is not needed; or derived from the key file.`,
  async run(args, io) {
    const keyFile = optional(args, 'log-key');
    if (keyFile !== undefined && optional(args, 'log') === undefined) {
      io.stdout(`${loadLogKey(keyFile).verifierKey}\n`);
      return 0;
    }
    const log = await openLog(logTarget(args, io.env), { readOnly: true, ...schemaOption(args) });
    try {
      io.stdout(`${log.verifierKey}\n`);
    } finally {
      await log.close();
    }
    return 0;
  },
});

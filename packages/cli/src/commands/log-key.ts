import { loadLogKey, openLog } from '@signet/log';
import { optional, parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { logTarget, schemaOption } from './log-common.js';

/** `signet log key`: prints the log's verifier key. */
export const logKey: Command = {
  name: ['log', 'key'],
  summary: "print a log's verifier key (C2SP note key format)",
  usage: `Usage: signet log key --log DB|URL [--schema NAME]
       signet log key --log-key FILE

Prints the verifier key "<origin>+<key id>+<base64 key>" that checkpoint and receipt verifiers
need (signet log verify, signet log monitor, createReceiptCheck). Read from the log's metadata,
so the private key is not needed; or derived from the key file.`,
  async run(argv, io) {
    const args = parseArgs(argv, { log: 'string', 'log-key': 'string', schema: 'string' });
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
};

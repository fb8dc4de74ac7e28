import { existsSync } from 'node:fs';
import { defaultKeyPath, LogKey, openLog, saveLogKey } from '@signet/log';
import { flag, optional, UsageError } from '../args.js';
import { InputError } from '../io.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { logTarget, schemaOption } from './log-common.js';

/** `signet log init`: creates a log and its key. */
export const logInit: Command = defineCommand({
  name: ['log', 'init'],
  summary: 'create a transparency log (SQLite file or PostgreSQL) and its signing key',
  flags: {
    log: { value: 'DB|URL', default: 'SIGNET_LOG', help: 'a SQLite file, or a postgres:// URL' },
    origin: { value: 'NAME', required: true, help: "the log's name, a schema-less URL such as logs.example.com/signet" },
    'log-key': { value: 'FILE', default: 'DB.key next to a SQLite log; required for PostgreSQL', help: 'where the key goes' },
    schema: { value: 'NAME', default: 'signet_log', help: 'PostgreSQL schema holding the log' },
    json: { help: 'print {"origin", "verifierKey", "created", "keyFile"} as JSON' },
  },
  text: `Creates the log's Ed25519 key (a C2SP signer key, file mode 0600) and the log with its signed
empty checkpoint, then prints the verifier key to publish. Run again on the same log with the same
--origin, it only prints the verifier key; with another --origin it is an error (exit 2): a log's
origin never changes.`,
  async run(args, io) {
    const target = logTarget(args, io.env);
    const origin = optional(args, 'origin');
    if (origin === undefined) throw new UsageError('--origin is required (for example logs.example.com/signet)');
    const keyPath = optional(args, 'log-key') ?? defaultKeyPath(target);
    if (keyPath === undefined) throw new UsageError('--log-key FILE is required for a PostgreSQL log');
    // An existing key is reused (a second process, or re-running init), never replaced.
    const existed = existsSync(keyPath);
    const key = existed ? keyPath : LogKey.generate(origin);
    if (!existed) saveLogKey(keyPath, key as LogKey);
    const log = await openLog(target, { key, create: true, ...schemaOption(args) });
    try {
      if (log.origin !== origin)
        throw new InputError(
          `${target} is already the log ${log.origin}; its origin cannot become ${origin} (give another --log to create a new log)`,
        );
      if (flag(args, 'json')) {
        io.stdout(`${JSON.stringify({ origin: log.origin, verifierKey: log.verifierKey, created: !existed, keyFile: keyPath })}\n`);
        return 0;
      }
      io.stdout(`${log.verifierKey}\n`);
      io.stderr(
        existed
          ? `signet log init: log ${log.origin} is ready (key ${keyPath} already existed)\n`
          : `signet log init: created log ${log.origin}; its key is in ${keyPath} (keep it secret, back it up)\n`,
      );
    } finally {
      await log.close();
    }
    return 0;
  },
});

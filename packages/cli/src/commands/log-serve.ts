import { SignetError } from '@signet/core';
import { createLogHandler, openLog, serveHandler } from '@signet/log';
import { intFlag, optional } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { logTarget, schemaOption } from './log-common.js';

/** `signet log serve`: serves a log's tiles, checkpoint and receipts over HTTP (read-only). */
export const logServe: Command = defineCommand({
  name: ['log', 'serve'],
  summary: 'serve a log over HTTP: C2SP tiles, checkpoint, receipts',
  flags: {
    log: { value: 'DB|URL', default: 'SIGNET_LOG', help: 'the log: a SQLite file or a postgres:// URL' },
    port: { value: 'N', default: '8788', help: 'listen port' },
    host: { value: 'ADDR', default: '127.0.0.1', help: 'listen address' },
    prefix: { value: 'PATH', default: 'none', help: 'path prefix of the log routes' },
    schema: { value: 'NAME', help: 'PostgreSQL schema holding the log' },
  },
  text: `Serves, read-only (no key needed):
  GET PREFIX/checkpoint                  the signed checkpoint (cacheable for 1 s)
  GET PREFIX/tile/<L>/<N>[.p/<W>]        Merkle tiles (C2SP tlog-tiles; immutable)
  GET PREFIX/tile/entries/<N>[.p/<W>]    entry bundles: the 32-byte envelope hashes
  GET /v1/signet/receipts/<responseId>   the RFC 9942 receipt of a sealed response
Put a cache or CDN in front: everything but the checkpoint is immutable. SIGINT/SIGTERM stop it.`,
  async run(args, io) {
    const log = await openLog(logTarget(args, io.env), { readOnly: true, ...schemaOption(args) });
    const prefix = optional(args, 'prefix') ?? '';
    let server;
    try {
      server = await serveHandler(prefix === '' ? log.handler : createLogHandler(log, { prefix }), {
        port: intFlag(args, 'port', 8788),
        host: optional(args, 'host') ?? '127.0.0.1',
      });
    } catch (cause) {
      await log.close();
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `cannot listen: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    io.stderr(`signet log serve: log ${log.origin} at ${server.url}${prefix}/checkpoint\n`);
    io.stdout(`${server.url}${prefix}\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await log.close();
    return 0;
  },
});

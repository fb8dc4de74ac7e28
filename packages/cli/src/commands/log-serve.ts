import { SignetError } from '@signet/core';
import { createLogHandler, openLog, serveHandler } from '@signet/log';
import { intFlag, optional, parseArgs } from '../args.js';
import type { Command } from '../command.js';
import { logTarget, schemaOption } from './log-common.js';

/** `signet log serve`: serves a log's tiles, checkpoint and receipts over HTTP (read-only). */
export const logServe: Command = {
  name: ['log', 'serve'],
  summary: 'serve a log over HTTP: C2SP tiles, checkpoint, receipts',
  usage: `Usage: signet log serve --log DB|URL [--port N] [--host ADDR] [--prefix PATH] [--schema NAME]

Serves, read-only (no key needed):
  GET PREFIX/checkpoint                  the signed checkpoint (cacheable for 1 s)
  GET PREFIX/tile/<L>/<N>[.p/<W>]        Merkle tiles (C2SP tlog-tiles; immutable)
  GET PREFIX/tile/entries/<N>[.p/<W>]    entry bundles: the 32-byte envelope hashes
  GET /v1/signet/receipts/<responseId>   the RFC 9942 receipt of a sealed response
Put a cache or CDN in front: everything but the checkpoint is immutable.
  --port N (default 8788)   --host ADDR (default 127.0.0.1)   --prefix PATH (default none)
SIGINT/SIGTERM stop it.`,
  async run(argv, io) {
    const args = parseArgs(argv, { log: 'string', port: 'string', host: 'string', prefix: 'string', schema: 'string' });
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
};

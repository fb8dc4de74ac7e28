import { openDurableLog, openLog } from '@signet/log';
import { createGateway, openGatewayFiles, type RunningServer } from '@signet/server';

/**
 * The gateway with a transparency log whose entries are durable before the envelope leaves: each
 * answer's envelope waits for its log batch to commit (or, while the log is down, for its entry to
 * reach the fsync'd spool). See docs/durability.md.
 */
export async function startDurableGateway(options: {
  upstream: string;
  keys: string;
  accounts: string;
  terms: string;
  logFile: string;
}): Promise<{ server: RunningServer; close(): Promise<void> }> {
  const log = await openLog(options.logFile, { create: true, maxDelayMs: 0 });
  const durable = await openDurableLog(log, { spoolPath: `${options.logFile}.spool`, unavailable: 'spool' });
  const gateway = createGateway({
    ...openGatewayFiles({ keys: options.keys, accounts: options.accounts, terms: options.terms, issuer: 'https://api.example.test' }),
    upstream: options.upstream,
    hooks: [
      {
        onSealed: (sealed) => durable.commit(sealed), // the envelope waits for this
        refusal: () => durable.refusal(), // 503 + Retry-After under policy "fail"
        health: () => durable.health(),
        extraRoutes: async (request) => {
          const m = /^\/v1\/signet\/receipts\/([^/]+)$/.exec(new URL(request.url).pathname);
          if (m === null) return undefined;
          const receipt = await durable.receiptFor(decodeURIComponent(m[1] as string));
          return receipt === undefined
            ? new Response(null, { status: durable.isPending(m[1] as string) ? 202 : 404 })
            : new Response(receipt as unknown as BodyInit, { headers: { 'content-type': 'application/cose' } });
        },
        close: async () => {
          await durable.close();
          await log.close();
        },
      },
    ],
  });
  const server = await gateway.listen({ port: 0 });
  return {
    server,
    close: async () => {
      await server.close();
      await gateway.close();
    },
  };
}

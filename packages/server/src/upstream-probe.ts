import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Whether the upstream answers HTTP at all (any status): a refused or silent connection is not ready. */
export function upstreamAnswers(
  upstream: URL,
  basePath: string,
  apiKey: string | undefined,
  timeoutMs: number,
): Promise<{ ok: boolean; detail?: string }> {
  const https = upstream.protocol === 'https:';
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        path: `${basePath}/v1/models`,
        method: 'GET',
        headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve({ ok: true });
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, detail: e.code ?? 'unreachable' }));
    req.end();
  });
}

import { describe, expect, it } from 'vitest';
import { RemoteLog } from './remote.js';

/** A fake fetch serving fixed bodies by path. */
function fakeFetch(routes: Record<string, { status?: number; body: Uint8Array | string }>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const path = new URL(String(input)).pathname;
    const r = routes[path];
    if (r === undefined) return new Response('not found', { status: 404 });
    return new Response(typeof r.body === 'string' ? r.body : (r.body as unknown as BodyInit), { status: r.status ?? 200 });
  }) as typeof fetch;
}

describe('reading a log over HTTP refuses malformed answers', () => {
  it('checks tile lengths, entry bundles and checkpoint encoding', async () => {
    const remote = new RemoteLog('http://log.test', {
      fetch: fakeFetch({
        '/tile/0/000.p/3': { body: new Uint8Array(95) },
        '/tile/0/001': { body: new Uint8Array(8192 + 32) },
        '/tile/entries/000.p/2': { body: Uint8Array.of(0, 2, 1, 2, 0, 5, 1) },
        '/tile/entries/001.p/1': { body: Uint8Array.of(0, 1, 9, 0, 1, 9) },
        '/checkpoint': { body: Uint8Array.of(0xff, 0xfe) },
      }),
    });
    await expect(remote.readTiles([{ level: 0, index: 0, width: 3 }])).rejects.toMatchObject({ code: 'SIGNET_E_LOG_PROOF_INVALID' });
    await expect(remote.readTiles([{ level: 0, index: 1, width: 256 }])).rejects.toMatchObject({ code: 'SIGNET_E_PARSE_TOO_LARGE' });
    expect(await remote.readTiles([{ level: 3, index: 0, width: 1 }])).toEqual([undefined]);
    await expect(remote.entryBundle(0, 2)).rejects.toMatchObject({ code: 'SIGNET_E_PARSE_MALFORMED' });
    await expect(remote.entryBundle(1, 1)).rejects.toMatchObject({ code: 'SIGNET_E_PARSE_MALFORMED' });
    await expect(remote.checkpoint()).rejects.toMatchObject({ code: 'SIGNET_E_LOG_CHECKPOINT_INVALID' });
    expect(() => new RemoteLog('file:///etc/passwd')).toThrow(expect.objectContaining({ code: 'SIGNET_E_INPUT_INVALID' }));
    expect(() => new RemoteLog('not a url')).toThrow(expect.objectContaining({ code: 'SIGNET_E_INPUT_INVALID' }));
  });

  // An unreachable log is "could not check", never a finding about the log: its own code.
  it('reports unreachable logs and server errors as unreachable, a missing path as not found', async () => {
    const down = new RemoteLog('http://127.0.0.1:9', { timeoutMs: 500 });
    await expect(down.checkpoint()).rejects.toMatchObject({ code: 'SIGNET_E_LOG_UNREACHABLE' });
    const failing = new RemoteLog('http://log.test', { fetch: fakeFetch({ '/checkpoint': { status: 500, body: 'boom' } }) });
    await expect(failing.checkpoint()).rejects.toMatchObject({ code: 'SIGNET_E_LOG_UNREACHABLE' });
    const gone = new RemoteLog('http://log.test', { fetch: fakeFetch({ '/checkpoint': { status: 403, body: 'no' } }) });
    await expect(gone.checkpoint()).rejects.toMatchObject({ code: 'SIGNET_E_LOG_NOT_FOUND' });
  });
});

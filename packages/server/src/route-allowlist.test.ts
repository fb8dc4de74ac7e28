import { describe, expect, it } from 'vitest';
import { createRouteAllowlist, DEFAULT_PASSTHROUGH } from './route-allowlist.js';

describe('createRouteAllowlist', () => {
  it('seals exactly the three model routes, for POST only', () => {
    const routes = createRouteAllowlist();
    expect(routes.decide('POST', '/v1/chat/completions')).toEqual({ action: 'seal', kind: 'chat' });
    expect(routes.decide('POST', '/v1/completions')).toEqual({ action: 'seal', kind: 'completion' });
    expect(routes.decide('POST', '/v1/responses')).toEqual({ action: 'seal', kind: 'response' });
    expect(routes.decide('GET', '/v1/chat/completions')).toEqual({ action: 'refuse' });
    expect(routes.decide('POST', '/openai/v1/chat/completions')).toEqual({ action: 'refuse' });
    expect(routes.decide('POST', '/V1/chat/completions')).toEqual({ action: 'refuse' });
  });

  it('passes only GET /v1/models by default, and refuses everything else', () => {
    const routes = createRouteAllowlist();
    expect(DEFAULT_PASSTHROUGH).toEqual(['GET /v1/models']);
    expect(routes.decide('GET', '/v1/models')).toEqual({ action: 'passthrough' });
    expect(routes.decide('GET', '/v1/models/x')).toEqual({ action: 'refuse' });
    expect(routes.decide('POST', '/v1/models')).toEqual({ action: 'refuse' });
    expect(routes.decide('POST', '/admin/reset')).toEqual({ action: 'refuse' });
    expect(routes.decide('GET', '/')).toEqual({ action: 'refuse' });
  });

  it('a /* entry covers its path and what is below it, not a sibling with the same prefix', () => {
    const routes = createRouteAllowlist(['GET /v1/files/*']);
    expect(routes.decide('GET', '/v1/files')).toEqual({ action: 'passthrough' });
    expect(routes.decide('GET', '/v1/files/a/b')).toEqual({ action: 'passthrough' });
    expect(routes.decide('GET', '/v1/filesx')).toEqual({ action: 'refuse' });
    expect(routes.decide('GET', '/v1/models')).toEqual({ action: 'refuse' });
  });

  it('model routes are decided first: a wildcard cannot make them pass unsealed', () => {
    const routes = createRouteAllowlist(['POST /v1/*', 'POST /*']);
    expect(routes.decide('POST', '/v1/chat/completions')).toEqual({ action: 'seal', kind: 'chat' });
    expect(routes.decide('POST', '/v1/embeddings')).toEqual({ action: 'passthrough' });
  });

  it('another case of a model route never passes through a wildcard (an upstream may fold case)', () => {
    const routes = createRouteAllowlist(['POST /v1/*', 'POST /*']);
    for (const path of ['/v1/Chat/Completions', '/V1/chat/completions', '/v1/RESPONSES', '/v1/Completions'])
      expect(routes.decide('POST', path)).toEqual({ action: 'refuse' });
  });

  it.each([
    'GET v1/models',
    'get /v1/models',
    'GET  /v1/models',
    'GET /v1/%6Dodels',
    'GET /v1//models',
    'GET /v1/models/',
    'POST /v1/responses',
    'FETCH /x',
    'GET /a;b',
    'GET /./a',
  ])('rejects the entry %j', (entry) => {
    expect(() => createRouteAllowlist([entry])).toThrow(expect.objectContaining({ code: 'SIGNET_E_CONFIG_INVALID' }) as Error);
  });
});

import { describe, expect, it } from 'vitest';
import { createCors } from './cors.js';

describe('CORS policy', () => {
  it('answers preflights only for listed origins, compared exactly', () => {
    const cors = createCors(['https://app.example']);
    expect(cors.preflight('https://app.example', 'authorization, content-type')).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-headers': 'authorization, content-type',
      vary: 'origin',
    });
    for (const o of ['https://app.example/', 'http://app.example', 'https://app.example.evil', 'null', undefined])
      expect(cors.preflight(o, undefined)).toBeUndefined();
    expect(cors.actual('https://evil.example')).toEqual({});
  });

  it('exposes the seal headers to page scripts', () => {
    const h = createCors(['*']).actual('https://any.example');
    expect(h['access-control-allow-origin']).toBe('*');
    expect(h['access-control-expose-headers']).toContain('Signet-Envelope');
    expect(h['access-control-expose-headers']).toContain('Signet-Unsealed');
  });
});

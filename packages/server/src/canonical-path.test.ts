import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPath, splitTarget } from './canonical-path.js';

/** How loosely a server may read a path: decode everything, `\` as `/`, drop `;` params, resolve dots, skip empty segments. */
function looseReading(raw: string): string {
  const decoded = decodeURIComponent(raw.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')).replace(/\\/g, '/');
  const out: string[] = [];
  for (const s of decoded.split('/')) {
    const seg = s.split(';')[0] as string;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return `/${out.join('/')}`;
}

describe('canonicalPath', () => {
  it('decodes percent-encoded unreserved characters other than "."', () => {
    expect(canonicalPath('/v1/chat/%63ompletions')).toEqual({ ok: true, path: '/v1/chat/completions' });
    expect(canonicalPath('/v1/%72%65sponses')).toEqual({ ok: true, path: '/v1/responses' });
    expect(canonicalPath('/a/%7e%5f%2D')).toEqual({ ok: true, path: '/a/~_-' });
    expect(canonicalPath('/')).toEqual({ ok: true, path: '/' });
  });

  it.each([
    ['/v1/chat/completions%2F', 'encoded-reserved'],
    ['/v1/responses%2f', 'encoded-reserved'],
    ['/v1/%2e%2e/x', 'encoded-reserved'],
    ['/v1/a%2Eb', 'encoded-reserved'],
    ['/v1/%25', 'encoded-reserved'],
    ['/v1/%3B', 'encoded-reserved'],
    ['/v1/%00', 'encoded-reserved'],
    ['/v1/%C3%A9', 'encoded-reserved'],
    ['/v1/chat/completions;x', 'parameter'],
    ['/v1/./chat', 'dot-segment'],
    ['/v1/../chat', 'dot-segment'],
    ['/v1//chat', 'empty-segment'],
    ['/v1/chat/', 'empty-segment'],
    ['//host/v1', 'empty-segment'],
    ['/v1\\chat', 'backslash'],
    ['/v1/%zz', 'bad-percent'],
    ['/v1/%4', 'bad-percent'],
    ['/v1/a b', 'bad-character'],
    ['/v1/a#b', 'bad-character'],
    ['/v1/é', 'bad-character'],
    ['v1/chat', 'not-absolute'],
    ['*', 'not-absolute'],
    ['http://x/v1', 'not-absolute'],
  ])('refuses %s (%s)', (raw, reason) => {
    expect(canonicalPath(raw)).toEqual({ ok: false, reason });
  });

  it('splits a request target at the first "?"', () => {
    expect(splitTarget('/a/b?x=1?y')).toEqual({ path: '/a/b', query: 'x=1?y' });
    expect(splitTarget('/a')).toEqual({ path: '/a', query: undefined });
  });

  it('property: an accepted spelling means to the loosest server exactly what it means to the gateway, and is stable', () => {
    const unit = fc.constantFrom(
      'a',
      'v',
      '1',
      'c',
      '-',
      '_',
      '~',
      '.',
      '/',
      '//',
      '%2F',
      '%2e',
      '%63',
      '%7E',
      '%25',
      ';',
      '\\',
      '..',
      '%3B',
      '%41',
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 16 }), (units) => {
        const raw = `/${units.join('')}`;
        const c = canonicalPath(raw);
        if (!c.ok) return;
        expect(looseReading(raw)).toBe(c.path === '/' ? '/' : c.path);
        expect(canonicalPath(c.path)).toEqual(c);
        expect(c.path).not.toMatch(/%|;|\\|\/\/|\/\.\.?(\/|$)/);
      }),
      { numRuns: 2000 },
    );
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, toJwks } from '@signet/core';
import { createVerifyPageRoute, renderVerifyPage, VERIFY_PAGE_CSP, VERIFY_PAGE_PATH } from '@signet/verify-page';

/** The verifier page as a file: self-contained, locked down by its own policy, safe to preload keys into. */

const html = renderVerifyPage();
const inline = (tag: 'script' | 'style', of = html) =>
  [...of.matchAll(new RegExp(`<${tag}(?: [^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => ({ tag: m[0].slice(0, 60), body: m[1]! }));
const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('the verifier page file', () => {
  it('is one self-contained file: no external script, style, image or font', () => {
    expect(html).not.toMatch(/<script[^>]+\bsrc=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html.length).toBeLessThan(400_000);
    expect(VERIFY_PAGE_PATH).toBe('/signet/verify');
  });

  it('carries a policy that allows its own inline code by hash and the network for fetch only', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${VERIFY_PAGE_CSP}" />`);
    const scripts = inline('script').filter((s) => !s.tag.includes('application/json'));
    expect(scripts).toHaveLength(1);
    expect(VERIFY_PAGE_CSP).toContain(`script-src ${sha(scripts[0]!.body)}`);
    const [style] = inline('style');
    expect(VERIFY_PAGE_CSP).toContain(`style-src ${sha(style!.body)}`);
    expect(VERIFY_PAGE_CSP).toMatch(/default-src 'none'/);
    expect(VERIFY_PAGE_CSP).not.toMatch(/unsafe-(inline|eval)/);
  });

  it('ships no signing code, storage driver or Node built-in', () => {
    const [script] = inline('script').filter((s) => !s.tag.includes('application/json'));
    expect(script!.body).not.toMatch(/better-sqlite3|node:(fs|crypto|child_process)|createSigner|BEGIN PRIVATE KEY/);
  });

  it('preloads keys as data that cannot close its script element', () => {
    const jwks = toJwks([generateSigningKey()]);
    const source = '</script><script>alert(1)</script>\u2028';
    const page = renderVerifyPage({ jwks, source });
    const data = inline('script', page).find((s) => s.tag.includes('application/json'))!.body;
    expect(data).not.toContain('<');
    expect(JSON.parse(data)).toEqual({ jwks, source });
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    expect(renderVerifyPage({})).toBe(html);
    // JWKS text works too, and the page carries only public members.
    expect(
      JSON.parse(inline('script', renderVerifyPage({ jwks: JSON.stringify(jwks) })).find((s) => s.tag.includes('application/json'))!.body),
    ).toEqual({ jwks });
  });

  it('refuses to publish a private key, or anything that is not a JWKS', () => {
    const key = generateSigningKey();
    const withPrivate = { keys: [{ ...toJwks([key]).keys[0], d: 'c2VjcmV0' }] };
    expect(() => renderVerifyPage({ jwks: withPrivate })).toThrow(expect.objectContaining({ code: 'SIGNET_E_KEY_INVALID' }));
    expect(() => renderVerifyPage({ jwks: { keys: [{ kid: 'no-kty' }] } })).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_KEY_INVALID' }),
    );
    expect(() => renderVerifyPage({ jwks: '{' })).toThrow(expect.objectContaining({ code: 'SIGNET_E_KEY_INVALID' }));
  });
});

describe('the verifier page route', () => {
  const preloaded = (html: string) => JSON.parse(inline('script', html).find((s) => s.tag.includes('application/json'))!.body) as unknown;

  it('serves the page at /signet/verify with the current keys, locked against framing and sniffing', async () => {
    let keys = toJwks([generateSigningKey()]);
    const route = createVerifyPageRoute({ jwks: () => keys });
    const r = route(new Request('https://api.example.com/signet/verify'))!;
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('content-security-policy')).toBe(`${VERIFY_PAGE_CSP}; frame-ancestors 'none'`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(preloaded(await r.text())).toEqual({ jwks: keys, source: 'api.example.com' });
    keys = toJwks([generateSigningKey()]);
    const after = await route(new Request('https://api.example.com/signet/verify'))!.text();
    expect(preloaded(after)).toEqual({ jwks: keys, source: 'api.example.com' });
  });

  it('answers HEAD without a body, refuses other methods, and leaves other paths alone', async () => {
    const ring = { jwks: () => toJwks([generateSigningKey()]) };
    const route = createVerifyPageRoute({ jwks: ring, source: 'provider' });
    const head = route(new Request('http://x/signet/verify', { method: 'HEAD' }))!;
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = route(new Request('http://x/signet/verify', { method: 'POST', body: '{}' }))!;
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    for (const path of ['/signet/verify/', '/signet/verify.html', '/v1/chat/completions', '/signet'])
      expect(route(new Request(`http://x${path}`))).toBeUndefined();
    expect(() => createVerifyPageRoute({} as never)).toThrow(TypeError);
  });
});

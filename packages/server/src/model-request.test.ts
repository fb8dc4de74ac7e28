import { describe, expect, it } from 'vitest';
import { canonicalizeJson, getDefaultBackend, digestRequest } from '@signet/core';
import { checkModelRequest, checkModelRequestValue } from './model-request.js';

const enc = new TextEncoder();

describe('checkModelRequest', () => {
  it('returns the parsed object and the digest of its canonical form', () => {
    const r = checkModelRequest(enc.encode('{"b":1,"a":"é"}'));
    expect(r.request).toEqual({ a: 'é', b: 1 });
    expect(r.requestDigest).toEqual(digestRequest(getDefaultBackend(), { a: 'é', b: 1 }));
    expect(canonicalizeJson(r.request)).toBe('{"a":"é","b":1}');
  });

  it.each([
    ['a lone high surrogate', '{"user":"\\ud800"}'],
    ['a lone low surrogate', '{"user":"x\\udfffy"}'],
    ['nesting deeper than 64', `{"x":${'['.repeat(70)}${']'.repeat(70)}}`],
    ['an array', '[1]'],
    ['null', 'null'],
    ['a string', '"x"'],
    ['invalid JSON', '{"a":'],
    ['an empty body', ''],
    ['a byte order mark', '\ufeff{}'],
  ])('refuses %s with SIGNET_E_GATEWAY_REQUEST_INVALID', (_, text) => {
    expect(() => checkModelRequest(enc.encode(text))).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_GATEWAY_REQUEST_INVALID' }) as Error,
    );
  });

  it('refuses invalid UTF-8 instead of replacing it', () => {
    expect(() => checkModelRequest(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]))).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_GATEWAY_REQUEST_INVALID' }) as Error,
    );
  });

  it('checks an already parsed body the same way', () => {
    expect(() => checkModelRequestValue({ user: '\ud800' })).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_GATEWAY_REQUEST_INVALID' }) as Error,
    );
    expect(checkModelRequestValue({ a: 1 }).request).toEqual({ a: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { carrierEvent, insertCarrierField } from './carrier.js';

describe('carriers', () => {
  it('adds the signet member without touching the other bytes of the body', () => {
    const body = '{"id":"x","n":1.50,"s":"caf\\u00e9"}\n';
    const out = insertCarrierField(body, { envelope: 'abc', kid: 'k' }) as string;
    expect(out).toBe('{"id":"x","n":1.50,"s":"caf\\u00e9","signet":{"envelope":"abc","kid":"k"}}\n');
    expect(JSON.parse(out)).toMatchObject({ n: 1.5, s: 'café', signet: { envelope: 'abc' } });
  });

  it('handles an empty object, and refuses what is not an object', () => {
    expect(insertCarrierField(' { } ', { envelope: 'e' })).toBe(' { "signet":{"envelope":"e"}} ');
    expect(insertCarrierField('[1,2]', { envelope: 'e' })).toBeUndefined();
    expect(insertCarrierField('"text"', { envelope: 'e' })).toBeUndefined();
    expect(insertCarrierField('[{"a":1}]', { envelope: 'e' })).toBeUndefined();
  });

  it('builds the final chunk of each stream dialect', () => {
    const dec = new TextDecoder();
    const chat = dec.decode(carrierEvent({ kind: 'chat', id: 'c', model: 'm', created: 5, lastSequence: undefined }, { envelope: 'e' }));
    expect(chat).toBe(
      'data: {"id":"c","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"signet":{"envelope":"e"}}\n\n',
    );
    const responses = dec.decode(
      carrierEvent({ kind: 'response', id: 'r', model: 'm', created: undefined, lastSequence: 9 }, { envelope: 'e' }),
    );
    expect(responses).toBe('event: keepalive\ndata: {"type":"keepalive","sequence_number":10,"signet":{"envelope":"e"}}\n\n');
  });
});

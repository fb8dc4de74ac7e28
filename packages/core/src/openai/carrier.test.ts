import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalCarrierField, canonicalMemberText, carrierEvent, carrierMember, insertCarrierField } from './carrier.js';
import { splitJsonBody } from './body.js';

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

  // Any value as it may arrive in a body's signet member: known and unknown members, right and wrong types.
  const memberValue = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constant(true),
    fc.integer(),
    fc.constant(null),
  );
  const fieldLike = fc.dictionary(fc.constantFrom('envelope', 'kid', 'partial', 'unsealed', 'other', '__proto__'), memberValue, {
    maxKeys: 5,
  });

  it('writes the member text member by member exactly as JSON.stringify writes the canonical field', () => {
    fc.assert(
      fc.property(fieldLike, (raw) => {
        const field = canonicalCarrierField(raw);
        if (field === undefined) return;
        expect(Object.keys(field)).toEqual(['envelope', 'kid', 'partial', 'unsealed'].filter((k) => k in field));
        expect(canonicalMemberText(field)).toBe(`"signet":${JSON.stringify(field)}`);
        expect(carrierMember(raw as never)).toBe(`"signet":${JSON.stringify(field)}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('a body with any carrier the gateway could write splits back into the upstream text', () => {
    fc.assert(
      fc.property(fieldLike, fc.constantFrom('{"id":"x"}', ' {}\n', '{"a":[1,{"b":"}"}]}\n'), (raw, upstream) => {
        const field = canonicalCarrierField(raw);
        if (field === undefined) return;
        const split = splitJsonBody(insertCarrierField(upstream, field) as string);
        expect(split.sealed).toBe(upstream);
        expect(split.field).toEqual(field);
      }),
      { numRuns: 500 },
    );
  });
});

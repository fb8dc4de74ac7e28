import { describe, expect, it } from 'vitest';
import { classifyInput, decodeBase64Any } from './classify.js';

const never = () => false;

describe('classifyInput tells inputs apart by content alone', () => {
  it('names the response shape from its object member', () => {
    expect(classifyInput('{"id":"x","object":"chat.completion","choices":[]}', never)).toEqual({ kind: 'response', shape: 'chat' });
    expect(classifyInput('{"object":"text_completion"}', never)).toEqual({ kind: 'response', shape: 'completion' });
    expect(classifyInput('{"object":"response","output":[]}', never)).toEqual({ kind: 'response', shape: 'response' });
  });

  it('does not guess the shape of a response without an object member', () => {
    expect(classifyInput('{"choices":[],"signet":{"envelope":"x"}}', never)).toMatchObject({ kind: 'unknown' });
  });

  it('reads saved streams of each shape', () => {
    expect(classifyInput('data: {"object":"chat.completion.chunk","choices":[]}\n\n', never)).toEqual({ kind: 'stream', shape: 'chat' });
    expect(classifyInput('data: {"object":"text_completion","choices":[]}\n\n', never)).toEqual({ kind: 'stream', shape: 'completion' });
    expect(classifyInput('event: response.created\ndata: {"type":"response.created"}\n\n', never)).toEqual({
      kind: 'stream',
      shape: 'response',
    });
    expect(classifyInput('data: {"hello":1}\n\n', never)).toMatchObject({ kind: 'unknown' });
  });

  it('takes records, bundles, envelopes and plain text', () => {
    expect(classifyInput('{"text":"hi","envelope":"abc","choice":1}', never)).toEqual({
      kind: 'record',
      text: 'hi',
      envelope: 'abc',
      choice: 1,
    });
    expect(classifyInput('{"type":"signet-evidence/v1"}', never)).toMatchObject({ kind: 'bundle' });
    expect(classifyInput('eyJh.eyJi.c2ln', never)).toEqual({ kind: 'envelope', envelope: 'eyJh.eyJi.c2ln' });
    // 0xd2 0x84: a tagged COSE_Sign1, as base64url.
    expect(classifyInput('0oQ', never)).toEqual({ kind: 'envelope', envelope: '0oQ' });
    expect(classifyInput('0oQ', () => true)).toMatchObject({ kind: 'receipt' });
    expect(classifyInput('Sealed answers travel with their envelope.', never)).toEqual({ kind: 'text' });
    expect(classifyInput('word', never)).toEqual({ kind: 'text' });
  });

  it('says what is wrong with empty or broken input', () => {
    expect(classifyInput('  \n', never)).toMatchObject({ kind: 'unknown', reason: 'Nothing was given to check.' });
    expect(classifyInput('{"broken', never)).toMatchObject({ kind: 'unknown' });
    expect(classifyInput('{"a":1}', never)).toMatchObject({ kind: 'unknown' });
  });
});

describe('decodeBase64Any', () => {
  it('reads standard and url-safe base64, padded or not', () => {
    expect(decodeBase64Any('0oQ=')).toEqual(new Uint8Array([0xd2, 0x84]));
    expect(decodeBase64Any('0oQ')).toEqual(new Uint8Array([0xd2, 0x84]));
    expect(decodeBase64Any('-_8')).toEqual(new Uint8Array([0xfb, 0xff]));
    expect(decodeBase64Any('+/8=')).toEqual(new Uint8Array([0xfb, 0xff]));
  });
  it('refuses what is not base64', () => {
    expect(decodeBase64Any('')).toBeUndefined();
    expect(decodeBase64Any('a b')).toBeUndefined();
    expect(decodeBase64Any('abcde')).toBeUndefined();
  });
});

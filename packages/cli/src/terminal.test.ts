import { describe, expect, it } from 'vitest';
import { shown, terminalSafe } from './terminal.js';

describe('terminal output of untrusted strings', () => {
  it('shows escape sequences, carriage returns and newlines escaped, on one line', () => {
    expect(shown('kid\u001b[2J\u001b]0;owned\u0007')).toBe('kid\\x1b[2J\\x1b]0;owned\\x07');
    expect(shown('bad\rvalid: sealed by ok')).toBe('bad\\rvalid: sealed by ok');
    expect(shown('a\nvalid: forged line')).toBe('a\\nvalid: forged line');
    expect(shown('csi\u009b31m')).toBe('csi\\x9b31m');
  });

  it('shows bidirectional overrides and lone surrogates escaped, and leaves ordinary text alone', () => {
    expect(shown('abc\u202edcba')).toBe('abc\\u202edcba');
    expect(shown('x\ud800y')).toBe('x\\ud800y');
    expect(shown('Grüße, 世界 🙂 https://api.example.com')).toBe('Grüße, 世界 🙂 https://api.example.com');
  });

  it('the output sink keeps the CLI layout but no live control sequence', () => {
    expect(terminalSafe('\r[##..] 50%')).toBe('\r[##..] 50%');
    expect(terminalSafe('line 1\n\tline 2\n')).toBe('line 1\n\tline 2\n');
    expect(terminalSafe('issuer x\u001b[1A\rvalid\n')).toBe('issuer x\\x1b[1A\\rvalid\n');
    // JSON stays valid and means the same after the sink.
    const json = JSON.stringify({ kid: 'k\u009b\u202e\u007f' });
    expect(JSON.parse(terminalSafe(json))).toEqual({ kid: 'k\u009b\u202e\u007f' });
    expect(terminalSafe(json)).not.toMatch(/[\u007f-\u009f\u202e]/);
  });
});

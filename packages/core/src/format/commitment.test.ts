import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../backend/noble.js';
import { nodeBackend } from '../backend/node.js';
import { commitAccount, commitmentKey, commitmentSalt, openAccount, verifyCommitmentOpening } from './commitment.js';

const secret = new Uint8Array(32).fill(9);

describe('account commitments', () => {
  it('give identical bytes on both backends', () => {
    for (const b of [nobleBackend, nodeBackend]) {
      const salt = commitmentSalt(b, commitmentKey(b, secret), 'chatcmpl-1', 1_790_000_000);
      expect(Buffer.from(commitAccount(b, salt, 'acct_1')).toString('hex')).toBe(
        Buffer.from(
          commitAccount(
            nodeBackend,
            commitmentSalt(nodeBackend, commitmentKey(nodeBackend, secret), 'chatcmpl-1', 1_790_000_000),
            'acct_1',
          ),
        ).toString('hex'),
      );
    }
  });

  it('differ per response id and per time, and open only to the committed account', () => {
    const k = commitmentKey(nodeBackend, secret);
    const a = commitAccount(nodeBackend, commitmentSalt(nodeBackend, k, 'r1', 10), 'acct');
    const b = commitAccount(nodeBackend, commitmentSalt(nodeBackend, k, 'r2', 10), 'acct');
    const c = commitAccount(nodeBackend, commitmentSalt(nodeBackend, k, 'r1', 11), 'acct');
    expect(new Set([a, b, c].map((x) => Buffer.from(x).toString('hex'))).size).toBe(3);
    const opened = openAccount(nodeBackend, secret, { tag: a, responseId: 'r1', issuedAt: 10 }, ['x', 'acct', 'y']);
    expect(opened?.accountId).toBe('acct');
    expect(verifyCommitmentOpening(nodeBackend, a, 'acct', opened!.salt!)).toBe(true);
    expect(verifyCommitmentOpening(nodeBackend, a, 'acct2', opened!.salt!)).toBe(false);
    expect(openAccount(nodeBackend, secret, { tag: a, responseId: 'r2', issuedAt: 10 }, ['acct'])).toBeUndefined();
  });
});

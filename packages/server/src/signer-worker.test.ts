import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '@signet/core';
import { FRAME, FrameReader, frame, isSignetSigningInput, MAX_FRAME, REFUSAL } from './signer-protocol.js';
import { startSignerWorker } from './signer-worker.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-worker-'));
const key = generateSigningKey();
const socketPath = join(dir, 'w.sock');
const server = await startSignerWorker({ key, socketPath });
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const SIG_STRUCTURE = Uint8Array.from([0x84, 0x6a, ...new TextEncoder().encode('Signature1'), 0x40, 0x40, 0x40]);

/** Sends raw bytes and collects the frames (or the close) that come back. */
function exchange(bytes: Uint8Array, wantFrames = 1): Promise<{ frames: { type: number; body: Buffer }[]; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    const reader = new FrameReader();
    const frames: { type: number; body: Buffer }[] = [];
    s.on('connect', () => s.write(bytes));
    s.on('data', (c: Buffer) => {
      frames.push(...reader.push(c));
      if (frames.length >= wantFrames) {
        s.destroy();
        resolve({ frames, closed: false });
      }
    });
    s.on('close', () => resolve({ frames, closed: true }));
  });
}

function signFrame(batch: number, messages: Uint8Array[], countOverride?: number): Buffer {
  const parts = messages.map((m) => {
    const b = Buffer.alloc(4 + m.length);
    b.writeUInt32BE(m.length, 0);
    b.set(m, 4);
    return b;
  });
  const head = Buffer.alloc(6);
  head.writeUInt32BE(batch, 0);
  head.writeUInt16BE(countOverride ?? messages.length, 4);
  return frame(FRAME.sign, Buffer.concat([head, ...parts]));
}

describe('signer protocol and worker', () => {
  it('recognises only Signet signing inputs', () => {
    expect(isSignetSigningInput(SIG_STRUCTURE)).toBe(true);
    expect(isSignetSigningInput(new TextEncoder().encode('eyJhIjoxfQ.eyJiIjoyfQ'))).toBe(true);
    for (const bad of ['plain text', 'a.b.c', '.', 'ab cd.ef', 'eyJhIjoxfQ'])
      expect(isSignetSigningInput(new TextEncoder().encode(bad))).toBe(false);
    expect(isSignetSigningInput(new Uint8Array([0x84, 0x6a, 0, 0]))).toBe(false);
  });

  it('splits frames across chunk boundaries and refuses oversized ones', () => {
    const r = new FrameReader();
    const f = Buffer.concat([frame(FRAME.hello), frame(FRAME.helloOk, new Uint8Array(33))]);
    expect(r.push(f.subarray(0, 3))).toEqual([]);
    expect(r.push(f.subarray(3, 7)).map((x) => x.type)).toEqual([FRAME.hello]);
    expect(r.push(f.subarray(7)).map((x) => x.type)).toEqual([FRAME.helloOk]);
    const big = Buffer.alloc(4);
    big.writeUInt32BE(MAX_FRAME + 1, 0);
    expect(() => new FrameReader().push(big)).toThrow(RangeError);
  });

  it('signs a batch, and refuses malformed or foreign batches without signing any of them', async () => {
    const ok = await exchange(signFrame(7, [SIG_STRUCTURE, SIG_STRUCTURE]));
    expect(ok.frames[0]?.type).toBe(FRAME.signed);
    expect(ok.frames[0]?.body.length).toBe(6 + 128);
    const mixed = await exchange(signFrame(8, [SIG_STRUCTURE, new TextEncoder().encode('wire $1000')]));
    expect(mixed.frames[0]).toMatchObject({ type: FRAME.refused });
    expect(mixed.frames[0]?.body[4]).toBe(REFUSAL.notSignet);
    const short = await exchange(signFrame(9, [SIG_STRUCTURE], 2));
    expect(short.frames[0]?.body[4]).toBe(REFUSAL.malformed);
    const empty = await exchange(signFrame(10, [], 0));
    expect(empty.frames[0]?.body[4]).toBe(REFUSAL.malformed);
  });

  it('drops connections that send garbage, and keeps serving others', async () => {
    expect((await exchange(frame(0x55, new Uint8Array(3)))).closed).toBe(true);
    expect((await exchange(Buffer.from([0xff, 0xff, 0xff, 0xff, 1]))).closed).toBe(true);
    const hello = await exchange(frame(FRAME.hello));
    expect(hello.frames[0]?.type).toBe(FRAME.helloOk);
    expect(Buffer.from(hello.frames[0]!.body.subarray(1)).equals(Buffer.from(key.publicKey))).toBe(true);
  });
});

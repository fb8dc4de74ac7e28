import type { ServerResponse } from 'node:http';
import type { SignetError } from '@signet/core';
import { DROP_RESPONSE } from './gateway-parts.js';
import type { HeaderRecord } from './response-sealer.js';
import { upstreamStreamError, type EventStreamSealing } from './sse-sealer.js';
import type { UpstreamAnswer } from './upstream-client.js';

/**
 * The gateway's native path, from the upstream's answer to the client: its headers as a record,
 * a whole body read as text, a sealed stream pumped socket to socket, an unsealed answer piped.
 * Node streams only; no Web Response is built on the way.
 */

// Framing headers, and Signet's own: only the gateway marks an answer sealed or unsealed.
const DROP_ANSWER = new Set([...DROP_RESPONSE, 'signet-envelope', 'signet-unsealed']);

/** The upstream's response headers as a record (names in lower case), less framing and Signet headers. */
export function answerHeaders(answer: UpstreamAnswer): HeaderRecord {
  const out: HeaderRecord = {};
  const raw = answer.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (DROP_ANSWER.has(name)) continue;
    const value = raw[i + 1] as string;
    const had = out[name];
    if (name === 'set-cookie') out[name] = had === undefined ? [value] : [...(had as string[]), value];
    else out[name] = had === undefined ? value : `${had as string}, ${value}`;
  }
  return out;
}

/** The request id on a header record: the gateway's own, the upstream's kept as `x-upstream-request-id`. */
export function ownRecordId(h: HeaderRecord, id: string): HeaderRecord {
  const theirs = h['x-request-id'];
  if (theirs !== undefined && theirs !== id) h['x-upstream-request-id'] = theirs;
  h['x-request-id'] = id;
  return h;
}

const decoder = new TextDecoder();

/**
 * Reads a whole upstream body as text, up to `max` bytes: undefined when it is larger or breaks off
 * (a connection that closes before the end of its body is a broken body, not a finished one). The
 * text is decoded as `Response.text()` decodes it.
 */
export function readAnswerText(answer: UpstreamAnswer, max: number): Promise<string | undefined> {
  const body = answer.body;
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = (text: string | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(text);
    };
    body.on('data', (c: Buffer) => {
      if (settled) return;
      size += c.length;
      if (size > max) {
        // The whole exchange, not only a decoder in front of it: the connection is not reused.
        answer.destroy();
        done(undefined);
        return;
      }
      parts.push(c);
    });
    body.once('end', () => done(decoder.decode(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size))));
    body.once('error', () => done(undefined));
    body.once('close', () => done(undefined));
  });
}

/**
 * Drives a sealed event stream from the upstream socket to the client's: each chunk is pushed
 * through the sealing and what it completes is written at once; the upstream is paused while the
 * client is slow. Resolves when the stream has ended or the client has gone.
 */
export function pumpSealedStream(answer: UpstreamAnswer, sealing: EventStreamSealing, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const body = answer.body;
    let running = true;
    const finish = (broken: SignetError | undefined): void => {
      if (!running) return;
      running = false;
      sealing.end(broken).then(
        (tail) => {
          // One write for the closing events and the end of the body (not one system call each).
          if (!res.destroyed) res.end(tail.length === 1 ? tail[0] : Buffer.concat(tail));
          resolve();
        },
        () => {
          res.destroy();
          resolve();
        },
      );
    };
    const resume = (): void => {
      body.resume();
    };
    body.on('data', (chunk: Buffer) => {
      if (!running) return;
      let step: ReturnType<EventStreamSealing['push']>;
      try {
        step = sealing.push(chunk);
      } catch (e) {
        // Never an exception out of an event handler (it would take the process down): the stream
        // ends as a broken one, sealed as partial.
        answer.destroy();
        finish(upstreamStreamError(e));
        return;
      }
      if (step.forward !== undefined && !res.write(step.forward)) {
        body.pause();
        res.once('drain', resume);
      }
      if (step.stop !== undefined) {
        answer.destroy();
        finish(step.stop);
      }
    });
    body.once('end', () => finish(undefined));
    body.once('error', (e) => finish(upstreamStreamError(e)));
    body.once('close', () => {
      // After 'end' this is the normal close; before it, a broken body.
      if (running) finish(upstreamStreamError(new Error('the upstream connection closed mid-body')));
    });
    res.once('close', () => {
      if (!running || res.writableFinished) return;
      // The client left: what it was sent is sealed for the record, and the upstream is let go.
      running = false;
      sealing.cancel();
      answer.destroy();
      resolve();
    });
  });
}

/** Passes an upstream answer on as it is (sealing off), cutting the client off if the body breaks. */
export function pipeAnswer(answer: UpstreamAnswer, res: ServerResponse, headers: HeaderRecord): Promise<void> {
  res.writeHead(answer.status, answer.statusText, headers);
  if (answer.empty) {
    answer.body.resume();
    res.end();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let ended = false;
    answer.body.once('end', () => (ended = true));
    answer.body.once('close', () => {
      if (!ended) res.destroy();
      resolve();
    });
    res.once('close', () => {
      if (!res.writableFinished) answer.destroy();
      resolve();
    });
    answer.body.pipe(res);
  });
}

/** The Content-Type of a response, from its raw headers, as sent (empty when none). */
export function contentType(raw: readonly string[]): string {
  for (let i = 0; i + 1 < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === 'content-type') return raw[i + 1] as string;
  return '';
}

import { SseParser, type SseEvent } from '@signet/core';
import { serve, type RunningServer } from '@signet/server';

/**
 * A man in the middle between a client and the gateway, for tamper tests. It rewrites whole bodies
 * (`body`) or the events of a stream (`events`: return the events to send on, possibly changed).
 */
export interface Tamper {
  /** Rewrites a non-streamed body and its headers. */
  body?: (text: string, headers: Headers) => string;
  /** Rewrites the event list of a stream as it passes; called once per upstream chunk. `end` marks the last call. */
  events?: (events: SseEvent[], end: boolean) => Uint8Array[] | { send: Uint8Array[]; cut: true };
}

export interface TamperProxy {
  readonly url: string;
  /** What to do to the next responses (set per test). */
  tamper: Tamper;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes an event whose data text was changed. */
export function rewriteEvent(ev: SseEvent, change: (data: string) => string): Uint8Array {
  return encoder.encode(decoder.decode(ev.raw).replace(ev.data ?? '', change(ev.data ?? '')));
}

export async function startTamperProxy(target: string): Promise<TamperProxy> {
  const state: { tamper: Tamper } = { tamper: {} };
  const server: RunningServer = await serve(async (request) => {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete('host');
    headers.delete('content-length');
    const body = request.method === 'GET' ? null : await request.text();
    const res = await fetch(`${target}${url.pathname}${url.search}`, { method: request.method, headers, body });
    const out = new Headers(res.headers);
    out.delete('content-length');
    out.delete('content-encoding');
    const tamper = state.tamper;
    if ((res.headers.get('content-type') ?? '').includes('text/event-stream') && res.body !== null && tamper.events !== undefined) {
      const reader = res.body.getReader();
      const parser = new SseParser();
      const change = tamper.events;
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          // Read until there is something to send: a pull that enqueues nothing is not called again,
          // so a tampering that holds events back (returns []) would otherwise stall the stream.
          for (;;) {
            const r = await reader.read();
            const events = r.done ? parser.end() : parser.push(r.value);
            const next = change(events, r.done);
            if (!Array.isArray(next)) {
              for (const b of next.send) controller.enqueue(b);
              reader.cancel().catch(() => {});
              controller.close();
              return;
            }
            for (const b of next) controller.enqueue(b);
            if (r.done) controller.close();
            if (r.done || next.length > 0) return;
          }
        },
      });
      return new Response(stream, { status: res.status, headers: out });
    }
    let text = await res.text();
    if (tamper.body !== undefined) text = tamper.body(text, out);
    return new Response(text, { status: res.status, headers: out });
  });
  return {
    url: server.url,
    get tamper() {
      return state.tamper;
    },
    set tamper(t: Tamper) {
      state.tamper = t;
    },
    close: () => server.close({ timeoutMs: 500 }),
  };
}

import { toHex } from '@signet/core';
import type { MonitorEvent } from './monitor.js';

/**
 * How a monitor event is reported: as one JSON line for programs, or as text for people. News goes
 * to `out`, warnings and misbehaviour (with the signed checkpoints that prove it) to `err`.
 */

/** One JSON line (without the newline): the event, stamped with `time`, a checkpoint as its size and hex root. */
export function monitorEventJson(event: MonitorEvent, time: Date = new Date()): string {
  const { checkpoint, ...rest } = event as MonitorEvent & { checkpoint?: { size: number; root: Uint8Array } };
  return JSON.stringify({
    time: time.toISOString(),
    ...rest,
    ...(checkpoint === undefined ? {} : { size: checkpoint.size, root: toHex(checkpoint.root) }),
  });
}

/**
 * The event as text, and where it goes. `show` makes a log-supplied string safe to print (a
 * terminal filter); it is applied to every message the log wrote.
 */
export function monitorEventText(event: MonitorEvent, show: (s: string) => string): { to: 'out' | 'err'; text: string } {
  switch (event.kind) {
    case 'first':
    case 'unchanged':
      return { to: 'out', text: `${event.kind === 'first' ? 'following' : 'unchanged'}: size ${event.checkpoint.size}\n` };
    case 'grew':
      return { to: 'out', text: `consistent: ${event.from} -> ${event.checkpoint.size}\n` };
    case 'stale':
      return {
        to: 'err',
        text: `warning: the log served an older checkpoint (size ${event.checkpoint.size}, seen ${event.latest}); it is a consistent prefix\n`,
      };
    case 'unavailable':
      return { to: 'err', text: `warning: ${show(event.message)}\n` };
    case 'invalid':
      return { to: 'err', text: `\n!!! INVALID CHECKPOINT: ${show(event.message)}\n` };
    default:
      return {
        to: 'err',
        text: `\n!!! ${show(event.message)}\n!!! Evidence (signed by the log):\n${event.evidence.map((e) => `-----\n${e}`).join('')}-----\n`,
      };
  }
}

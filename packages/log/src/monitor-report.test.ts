import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from './monitor.js';
import { monitorEventJson, monitorEventText } from './monitor-report.js';

const checkpoint = { size: 7, root: new Uint8Array([0xab, 0xcd]) } as unknown as Extract<MonitorEvent, { kind: 'grew' }>['checkpoint'];
const show = (s: string): string => s.replace(/\n/g, '\\n');

describe('monitor report', () => {
  it('writes a checkpoint as its size and hex root in JSON, stamped with the time', () => {
    const line = monitorEventJson({ kind: 'grew', checkpoint, from: 3 }, new Date(0));
    expect(JSON.parse(line)).toEqual({ time: '1970-01-01T00:00:00.000Z', kind: 'grew', from: 3, size: 7, root: 'abcd' });
  });

  it('sends news to out, warnings and misbehaviour to err', () => {
    expect(monitorEventText({ kind: 'grew', checkpoint, from: 3 }, show)).toEqual({ to: 'out', text: 'consistent: 3 -> 7\n' });
    expect(monitorEventText({ kind: 'unavailable', message: 'down' }, show)).toEqual({ to: 'err', text: 'warning: down\n' });
    const fork = monitorEventText({ kind: 'fork', message: 'rewrote', evidence: ['a\n', 'b\n'] }, show);
    expect(fork).toEqual({ to: 'err', text: '\n!!! rewrote\n!!! Evidence (signed by the log):\n-----\na\n-----\nb\n-----\n' });
  });

  it('passes every message the log wrote through show', () => {
    expect(monitorEventText({ kind: 'invalid', message: 'x\ny' }, show).text).toBe('\n!!! INVALID CHECKPOINT: x\\ny\n');
  });
});

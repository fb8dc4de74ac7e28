import { isMisbehaviour, type LogMonitor, type MonitorEvent } from './monitor.js';

/** Options of {@link followLog}. */
export interface FollowLogOptions {
  /** Time between polls, in milliseconds. */
  readonly intervalMs: number;
  /** Stop after this many polls; 0 or unset: until `signal` aborts. */
  readonly polls?: number;
  /** Stops the loop before the next poll. */
  readonly signal?: AbortSignal;
  /** Every event, as it happens. */
  onEvent(event: MonitorEvent): void;
  /** Called after each poll that proved no misbehaviour: persist `monitor.state` here. */
  onChecked?(): void;
}

/** How {@link followLog} ended. */
export interface FollowLogOutcome {
  /** The log misbehaved (or served an invalid checkpoint): the loop stopped at once. */
  readonly misbehaved: boolean;
  /** Polls that reached the log. */
  readonly checked: number;
}

/** Polls a log monitor until it is told to stop or the log misbehaves. */
export async function followLog(monitor: LogMonitor, options: FollowLogOptions): Promise<FollowLogOutcome> {
  const polls = options.polls ?? 0;
  let checked = 0;
  for (let n = 0; options.signal?.aborted !== true && (polls === 0 || n < polls); n++) {
    if (n > 0) await new Promise((r) => setTimeout(r, options.intervalMs));
    const event = await monitor.poll();
    options.onEvent(event);
    if (isMisbehaviour(event)) return { misbehaved: true, checked };
    if (event.kind !== 'unavailable') checked++;
    options.onChecked?.();
  }
  return { misbehaved: false, checked };
}

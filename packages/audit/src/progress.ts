/**
 * A one-line progress bar on stderr: records, rate and ETA (from bytes read over the file size),
 * redrawn at most ten times a second so drawing never costs throughput.
 */
export interface Progress {
  update(records: number, bytes: number): void;
  /** Wipes the bar, so a line printed next starts clean (the next update draws it again). */
  clear(): void;
  done(): void;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : String(m)}:${String(r).padStart(2, '0')}`;
}

/**
 * A progress bar writing to `write`; a no-op when disabled. `totalBytes` may be a function, for
 * readers that learn the size once they open the input (0: unknown, as for stdin).
 */
export function createProgress(
  write: (text: string) => void,
  total: number | (() => number),
  enabled: boolean,
  now: () => number = Date.now,
): Progress {
  if (!enabled) return { update: () => undefined, clear: () => undefined, done: () => undefined };
  const size = typeof total === 'number' ? () => total : total;
  const started = now();
  let last = 0;
  let drawn = 0;
  const put = (text: string): void => {
    drawn = text.length;
    write(text);
  };
  const draw = (records: number, bytes: number): void => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? records / elapsed : 0;
    const totalBytes = size();
    const fraction = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    // Size unknown (stdin): counts and rate only.
    if (totalBytes <= 0) {
      put(`\r${records.toLocaleString('en-US')} records  ${Math.round(rate).toLocaleString('en-US')}/s  `);
      return;
    }
    put(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${records.toLocaleString('en-US')} records  ${Math.round(rate).toLocaleString('en-US')}/s  ETA ${clock(eta)}  `,
    );
  };
  let latest: [number, number] = [0, 0];
  return {
    update(records, bytes) {
      latest = [records, bytes];
      const t = now();
      if (t - last < 100) return;
      last = t;
      draw(records, bytes);
    },
    clear() {
      if (drawn === 0) return;
      // Two writes, each starting with a carriage return: the only control the terminal sink keeps.
      write(`\r${' '.repeat(drawn)}`);
      write('\r');
      drawn = 0;
      last = 0;
    },
    done() {
      draw(latest[0], size());
      write('\n');
    },
  };
}

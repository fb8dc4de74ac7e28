/**
 * A one-line progress bar on stderr: records, rate and ETA (from bytes read over the file size),
 * redrawn at most ten times a second so drawing never costs throughput.
 */
export interface Progress {
  update(records: number, bytes: number): void;
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

/** A progress bar writing to `write`; a no-op when disabled. */
export function createProgress(
  write: (text: string) => void,
  totalBytes: number,
  enabled: boolean,
  now: () => number = Date.now,
): Progress {
  if (!enabled) return { update: () => undefined, done: () => undefined };
  const started = now();
  let last = 0;
  const draw = (records: number, bytes: number): void => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? records / elapsed : 0;
    const fraction = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    write(
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
    done() {
      draw(latest[0], totalBytes);
      write('\n');
    },
  };
}

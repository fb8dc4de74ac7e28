import { closeSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { SignetError } from '@signet/core';

/**
 * Exclusive ownership of a spool file: one writer per file, across processes. The owner holds a
 * lock file beside the spool (`<spool>.lock`), created with O_EXCL and holding its process id, host
 * and start time. A lock whose process is gone (or whose pid now belongs to a process started at
 * another time) is stale and is taken over; a lock held by a live process is a refusal
 * (`SIGNET_E_LOG_SPOOL_IN_USE`), because two writers rewriting one spool would lose entries.
 *
 * The owner also touches its lock every 10 s. A lock written on another host (a shared folder, a
 * recreated container with a new host name) cannot be checked by pid, so it counts as live only
 * while it is fresh: one untouched for a minute is stale.
 */

/** Who holds a spool lock, as written in the lock file. */
export interface SpoolOwner {
  readonly pid: number;
  readonly host: string;
  /** When the owning process started, ms since the epoch. */
  readonly started: number;
}

/** A held spool lock. */
export interface SpoolLock {
  readonly path: string;
  /** Removes the lock file (only while it is still this lock). */
  release(): void;
}

/** Options of the ownership lock a spool takes on its file. */
export interface SpoolLockOptions {
  /** Told when a stale lock is taken over (one line, for the operator). */
  readonly onTakeover?: (line: string) => void;
}

const HEARTBEAT_MS = 10_000;
const FOREIGN_STALE_MS = 60_000;

// Locks this process holds, by resolved path: a second open in the same process is refused too.
const held = new Map<string, string>();
let exitHook = false;

function clockTicksStart(pid: number | 'self'): { started: number; zombie: boolean } | undefined {
  // Linux only: /proc gives a process's start time, which tells a reused pid from the owner.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (btime === null) return undefined;
    // Field 22 (starttime, in clock ticks since boot; USER_HZ is 100 on Linux) is index 19 here.
    const started = Number(btime[1]) * 1000 + Number(fields[19]) * 10;
    return Number.isFinite(started) ? { started, zombie: fields[0] === 'Z' || fields[0] === 'X' } : undefined;
  } catch {
    return undefined;
  }
}

function ownStart(): number {
  return clockTicksStart('self')?.started ?? Math.round(Date.now() - process.uptime() * 1000);
}

/**
 * Whether the process that wrote `owner` still runs. A lock from another host cannot be checked by
 * pid: it counts as live while it was touched (`ageMs` ago) within the last minute.
 */
export function ownerAlive(owner: SpoolOwner, ageMs = 0): boolean {
  if (owner.host !== hostname()) return ageMs < FOREIGN_STALE_MS;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = clockTicksStart(owner.pid);
  if (now === undefined) return true;
  // A killed process that is not yet reaped is gone; a pid reused by a later process is not the owner.
  return !now.zombie && Math.abs(now.started - owner.started) < 2000;
}

function parseOwner(text: string): SpoolOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<SpoolOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.started === 'number'
      ? { pid: v.pid, host: v.host, started: v.started }
      : undefined;
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The error for a spool owned by a live process. */
export function spoolInUse(spool: string, owner: SpoolOwner | undefined): SignetError {
  const who = owner === undefined ? 'this process' : `process ${owner.pid} on ${owner.host}`;
  return new SignetError('SIGNET_E_LOG_SPOOL_IN_USE', `The spool ${spool} is in use by ${who}.`, {
    hint: 'Another gateway is using this log folder: give each gateway its own --log-spool (and --registry-spool), or stop the other one.',
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Removes `lockPath` if it still reads `seen`, under a short guard so that two takers cannot both remove a new owner's lock. */
function removeStale(lockPath: string, seen: string): boolean {
  const guard = `${lockPath}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A guard is held for microseconds; one older than 10 s was left by a crash.
    if (Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 10_000) unlinkSync(guard);
    return false;
  }
  try {
    if (readText(lockPath) !== seen) return false;
    unlinkSync(lockPath);
    return true;
  } finally {
    closeSync(fd);
    unlinkSync(guard);
  }
}

/** Takes the lock of the spool at `spool`, or throws `SIGNET_E_LOG_SPOOL_IN_USE` when a live process holds it. */
export async function lockSpool(spool: string, options: SpoolLockOptions = {}): Promise<SpoolLock> {
  const lockPath = `${resolve(spool)}.lock`;
  if (held.has(lockPath)) throw spoolInUse(spool, undefined);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), started: ownStart() } satisfies SpoolOwner);
  for (let attempt = 0; ; attempt++) {
    if (attempt > 500) throw new SignetError('SIGNET_E_LOG_SPOOL', `The lock of the spool ${spool} could not be taken.`);
    let fd: number | undefined;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, mine);
      fsyncSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new SignetError('SIGNET_E_LOG_SPOOL', `The lock of the spool ${spool} could not be created.`, {
          hint: `Check that the folder of ${spool} is writable.`,
          cause: e,
        });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const seen = readText(lockPath);
    if (seen === undefined) continue;
    const owner = parseOwner(seen);
    const age = Date.now() - (statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    // An unreadable lock younger than 2 s is being written by its owner right now.
    if (owner === undefined && age < 2000) {
      await sleep(10);
      continue;
    }
    // Our own pid in a lock we do not hold: an earlier process with the same pid (a restarted container).
    const stale = owner === undefined || (owner.pid === process.pid && owner.host === hostname()) || !ownerAlive(owner, age);
    if (!stale) throw spoolInUse(spool, owner);
    if (removeStale(lockPath, seen))
      options.onTakeover?.(
        owner === undefined
          ? `took over the unreadable lock of the spool ${spool}`
          : `took over the spool ${spool} from process ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}, which is gone`,
      );
    else await sleep(10);
  }
  held.set(lockPath, mine);
  // The heartbeat that tells other hosts this lock is alive.
  const beat = setInterval(() => {
    try {
      if (readText(lockPath) === mine) utimesSync(lockPath, new Date(), new Date());
    } catch {
      // A missed beat only makes the lock look older; the next one catches up.
    }
  }, HEARTBEAT_MS);
  beat.unref();
  if (!exitHook) {
    exitHook = true;
    // A process that exits without closing its spools leaves no stale locks behind when it can help it.
    process.once('exit', () => {
      for (const [path, text] of held)
        try {
          if (readText(path) === text) unlinkSync(path);
        } catch {
          // Best effort: a lock left behind is stale and taken over by the next owner.
        }
    });
  }
  return {
    path: lockPath,
    release() {
      if (held.get(lockPath) !== mine) return;
      clearInterval(beat);
      held.delete(lockPath);
      try {
        if (readText(lockPath) === mine) unlinkSync(lockPath);
      } catch {
        // Gone already: nothing to release.
      }
    },
  };
}

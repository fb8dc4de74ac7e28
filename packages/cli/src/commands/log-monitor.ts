import { existsSync } from 'node:fs';
import { readTextFile, TextFileError, writeFileAtomic } from '@signet/core/node-fs';
import { getDefaultBackend, isSignetError } from '@signet/core';
import { followLog, LogMonitor, monitorEventJson, monitorEventText, parseMonitorState, RemoteLog, type MonitorEvent } from '@signet/log';
import { flag, intFlag, optional, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { EXIT } from '../exit.js';
import { InputError } from '../io.js';
import { verifierKeyArg } from './log-common.js';
import { shown } from '../terminal.js';

/** `signet log monitor URL`: follows checkpoints and reports forks loudly. */
export const logMonitor: Command = defineCommand({
  name: ['log', 'monitor'],
  summary: "follow a log's checkpoints and report forks, rewrites and equivocation",
  operands: 'URL',
  flags: {
    'log-verifier-key': { value: 'KEY', required: true, help: 'the log\'s verifier key (text or a file), from "signet log key"' },
    interval: { value: 'SECONDS', default: '10', help: 'time between polls' },
    once: { help: 'poll once (with --state: compare)' },
    polls: { value: 'N', default: 'run until SIGINT/SIGTERM', help: 'stop after N polls' },
    state: { value: 'FILE', help: 'remember the last checkpoint across runs (recommended)' },
    witness: { value: 'KEY', repeatable: true, help: "a witness's verifier key" },
    quorum: { value: 'K', help: 'how many of the --witness keys must have cosigned' },
    json: { help: 'print events as JSON lines' },
  },
  text: `Polls URL/checkpoint, verifies it (log signature, and a K-of-N witness quorum when --witness is
given), and checks with a consistency proof built from the log's tiles that each checkpoint
extends the previous one. A log that signs two trees of one size (equivocation), rewrites its
history (fork) or goes back to a tree that is not a prefix (rollback) is reported with both
signed checkpoints as evidence, and the monitor exits 1 at once.
Exit 0: stopped with no misbehaviour seen. Exit 1: misbehaviour (or an invalid checkpoint).
Exit 2: usage error or unreadable input. Exit 3: the log could not be reached at all.`,
  async run(args, io) {
    const url = args.positionals[0];
    if (url === undefined || args.positionals.length > 1) throw new UsageError('give exactly one log URL');
    const key = verifierKeyArg(optional(args, 'log-verifier-key'));
    const witnesses = ((args.flags.witness as string[] | undefined) ?? []).map((w) => verifierKeyArg(w, 'witness'));
    const quorum = intFlag(args, 'quorum', 0);
    if (quorum > witnesses.length) throw new UsageError('--quorum cannot exceed the number of --witness keys');
    const intervalMs = intFlag(args, 'interval', 10) * 1000;
    const polls = flag(args, 'once') ? 1 : intFlag(args, 'polls', 0);
    const statePath = optional(args, 'state');
    const json = flag(args, 'json');
    let state;
    if (statePath !== undefined && existsSync(statePath)) {
      try {
        state = parseMonitorState(readTextFile(statePath, 'monitor state', 16 * 1024 * 1024));
      } catch (e) {
        if (e instanceof TextFileError) throw e;
        throw new InputError(`${statePath}: ${isSignetError(e) ? e.message : 'unreadable'}`);
      }
    }
    const monitor = new LogMonitor(new RemoteLog(url), {
      policy: { log: key, witnesses, quorum },
      backend: getDefaultBackend(),
      ...(state === undefined ? {} : { state }),
    });
    const print = (event: MonitorEvent): void => {
      if (json) return io.stdout(`${monitorEventJson(event)}\n`);
      const { to, text } = monitorEventText(event, shown);
      (to === 'out' ? io.stdout : io.stderr)(text);
    };
    const save = (): void => {
      const s = monitor.state;
      if (statePath === undefined || s === undefined) return;
      writeFileAtomic(statePath, `${JSON.stringify(s)}\n`);
    };
    const stopper = new AbortController();
    const stop = (): void => stopper.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    let outcome;
    try {
      outcome = await followLog(monitor, { intervalMs, polls, signal: stopper.signal, onEvent: print, onChecked: save });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    if (outcome.misbehaved) return 1;
    // A run that never reached the log checked nothing: say so in the exit code.
    return outcome.checked === 0 ? EXIT.unreachable : EXIT.ok;
  },
});

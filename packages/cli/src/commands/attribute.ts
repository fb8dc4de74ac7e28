import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chanceInWords, SignetError, type SigningKey } from '@signet/core';
import { AttributionRun, attributionSummaryText } from '@signet/audit';
import { openLog, type Log } from '@signet/log';
import { attributeSuspects, logEvidenceSource, openRegistry, type AttributionOptions } from '@signet/registry';
import { KEY_FILES, loadAccountSecret, loadSigningKey, publishedKids } from '@signet/server';
import { flag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { InputError, writePublicFile } from '../io.js';
import { shown } from '../terminal.js';

/** A file name for a suspect's bundle: its id made safe, unique within the run. */
function bundleName(id: string | number, used: Set<string>): string {
  const base =
    String(id)
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 80) || 'suspect';
  let name = `${base}.json`;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}.json`;
  used.add(name);
  return name;
}

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a number between 0 and 1`);
  return n;
}

/** `signet attribute`: match unsealed suspect texts back to the sealed responses and accounts. */
export const attribute: Command = defineCommand({
  name: ['attribute'],
  summary: 'attribute unsealed suspect texts to the accounts they were served to, with evidence bundles',
  operands: 'SUSPECT',
  flags: {
    registry: { value: 'DB|URL', required: true, help: 'the registry (SQLite file or postgres:// URL)' },
    keys: { value: 'DIR', required: true, help: "the provider's keys folder: account-secret, and signing-key.jwk to sign bundles" },
    out: { value: 'DIR', help: 'write evidence bundles to DIR/evidence/, DIR/attribution.json and a readable DIR/report.html' },
    json: {
      help: 'one JSON line per suspect: {"id", "verdict", "match": null | {"account", "score", "chance", "responseId", "evidence"}, "accounts"}; verdict is attributed, ambiguous, too-short or none',
    },
    log: { value: 'DB|URL', help: 'the transparency log, for receipts and checkpoints' },
    'log-schema': { value: 'NAME', help: 'the PostgreSQL schema of the log' },
    'max-chance': { value: 'P', default: '0.001', help: 'largest chance of an unrelated text at which an account is named' },
    'min-score': { value: 'X', default: '0', help: 'lowest similarity (share of fingerprints in common) reported' },
    'text-field': { value: 'NAME', help: 'the field of a record that holds the suspect text (a.b reaches into objects)' },
    progress: { help: 'show progress on stderr (default when stderr is a terminal and without --json)' },
    'no-progress': { help: 'never show progress' },
  },
  text: `For each suspect text (records with text/content/messages, or --text-field, in JSONL or JSON,
plain or gzip, Parquet, stdin -, or a folder of shards; or one .txt/.md file): the registry weighs
the fingerprints the text shares with each sealed answer by how rare they are, and names an
account only when an unrelated text would show that much overlap with less than --max-chance
probability (estimated on the registry's own texts). Every account with evidence of
its own is named, strongest first (a text joined from two answers names both); a text served
identically to several accounts is ambiguous; a text too short to carry that evidence is "too short
to attribute". With --out, each named account gets an evidence bundle DIR/evidence/<id>.json: the
envelope, its log receipt and checkpoint (with --log), the excerpt proof, the terms digest, the
account disclosure and the chance, signed with the provider's key.

SUSPECT may be - for standard input (JSONL or JSON, plain or gzip). The registry must exist (reading never creates one),
and --keys must be the keys of the provider that recorded into it.
Exit codes: 0 done (matched or not), 2 usage, unreadable input, a missing registry or log, or keys
of another provider.`,
  async run(args, io) {
    const [suspectPath, ...extra] = args.positionals;
    if (suspectPath === undefined) throw new UsageError('SUSPECT is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    if (suspectPath !== '-' && !existsSync(suspectPath)) throw new InputError(`${suspectPath} does not exist`);
    const keysDir = required(args, 'keys');
    const secret = loadAccountSecret(join(keysDir, KEY_FILES.accountSecret));
    const keyPath = join(keysDir, KEY_FILES.signingKey);
    const signer: SigningKey | undefined = existsSync(keyPath) ? loadSigningKey(keyPath) : undefined;
    const minScore = numberFlag(optional(args, 'min-score'), 'min-score');
    const maxChance = numberFlag(optional(args, 'max-chance'), 'max-chance');
    if (maxChance === 0) throw new UsageError('--max-chance must be above 0');
    const attribution: AttributionOptions = {
      ...(minScore === undefined ? {} : { minScore }),
      ...(maxChance === undefined ? {} : { maxChance }),
    };
    const out = optional(args, 'out');
    const json = flag(args, 'json');
    // Reading never creates a registry: a typo would otherwise answer "no match" for everything.
    const registry = await openRegistry(required(args, 'registry'), { accountSecret: secret, mustExist: true });
    let log: Log | undefined;
    const logTarget = optional(args, 'log');
    const logSchema = optional(args, 'log-schema');
    try {
      // Bundles signed with another provider's key would fail every check: refuse them first.
      const kids = [...(signer === undefined ? [] : [signer.kid]), ...publishedKids(keysDir)];
      if (kids.length > 0) await registry.checkKeys(kids);
      if (logTarget !== undefined)
        log = await openLog(logTarget, { readOnly: true, ...(logSchema === undefined ? {} : { schema: logSchema }) });
      const source = log === undefined ? undefined : logEvidenceSource(log);
      const used = new Set<string>();
      let total = 0;
      let matched = 0;
      let errors = 0;
      const summary: unknown[] = [];
      const stdin =
        io.stdinStream?.() ??
        (async function* () {
          yield await io.stdin();
        })();
      const showProgress = flag(args, 'progress') || (!flag(args, 'no-progress') && process.stderr.isTTY === true && !json);
      const run = new AttributionRun(showProgress ? io.stderr : undefined);
      io = { ...io, stdout: run.printer(io.stdout) };
      const results = attributeSuspects(registry, run.suspects(suspectPath === '-' ? stdin : suspectPath, optional(args, 'text-field')), {
        attribution,
        ...(out === undefined
          ? {}
          : { evidence: { ...(signer === undefined ? {} : { signer }), ...(source === undefined ? {} : { log: source }) } }),
      });
      for await (const r of results) {
        run.result(r);
        total++;
        if (r.error !== undefined) errors++;
        else if (r.accounts.length > 0) matched++;
        const accounts = r.accounts.map(({ bundle, ...a }) => {
          const evidence = bundle === undefined || out === undefined ? null : join(out, 'evidence', bundleName(r.id, used));
          if (evidence !== null) writePublicFile(evidence, `${JSON.stringify(bundle, null, 2)}\n`);
          return { ...a, evidence };
        });
        const line = accounts.map(({ method: _m, accountTag: _t, spans: _s, terms: _r, issuedAt: _i, ...a }) => a);
        const head = r.error !== undefined ? { error: r.error } : { verdict: r.verdict };
        summary.push({ id: r.id, line: r.line, ...head, match: line[0] ?? null, ...(accounts.length > 0 ? { accounts } : {}) });
        if (json)
          io.stdout(`${JSON.stringify({ id: r.id, ...head, match: line[0] ?? null, ...(line.length > 1 ? { accounts: line } : {}) })}\n`);
        else if (r.error !== undefined) io.stdout(`line ${r.line}: ${r.error}: ${shown(r.message ?? '')}\n`);
        else if (accounts.length === 0)
          io.stdout(`${shown(String(r.id))}: ${r.verdict === 'too-short' ? 'too short to attribute' : 'no match'}\n`);
        for (const [k, a] of json ? [] : accounts.entries())
          io.stdout(
            `${k === 0 ? shown(String(r.id)) : '  and'}: ${shown(a.account)}  score ${a.score.toFixed(2)} (${a.method}), ${chanceInWords(a.chance)}  ${shown(a.responseId)}${a.evidence === null ? '' : `  evidence ${shown(a.evidence)}`}${a.alsoServedTo === undefined ? '' : `  (ambiguous: the same text was served to ${a.alsoServedTo.length} other account${a.alsoServedTo.length === 1 ? '' : 's'})`}\n`,
          );
      }
      const totals = run.finish();
      if (out !== undefined) {
        writePublicFile(
          join(out, 'attribution.json'),
          `${JSON.stringify({ total, matched, errors, summary: totals, suspects: summary }, null, 2)}\n`,
        );
        writePublicFile(join(out, 'report.html'), run.html(suspectPath));
      }
      const unsigned = signer === undefined && out !== undefined ? 'bundles are unsigned (no signing-key.jwk in --keys)\n' : '';
      if (!json) io.stderr(`${attributionSummaryText(totals, shown)}${unsigned}`);
      return 0;
    } catch (e) {
      if (e instanceof SignetError || e instanceof InputError || e instanceof UsageError) throw e;
      throw new SignetError('SIGNET_E_REGISTRY_STORAGE', `attribution failed: ${(e as Error).message}`);
    } finally {
      await registry.close();
      await log?.close();
    }
  },
});

import { evidenceReportText, renderEvidenceHtml } from '@signet/audit';
import { SignetError } from '@signet/core';
import { verifyEvidence } from '@signet/verify';
import { flag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { InputError, readText, writePublicFile } from '../io.js';
import { verifierKeyArg } from './log-common.js';
import { shown } from '../terminal.js';

/** `signet evidence verify`: check an evidence bundle offline. */
export const evidenceVerify: Command = defineCommand({
  name: ['evidence', 'verify'],
  summary: 'check an evidence bundle offline and print what it proves and what it does not',
  operands: 'BUNDLE',
  flags: {
    trust: { value: 'JWKS', required: true, help: "the provider's public keys" },
    'log-verifier-key': {
      value: 'KEY|FILE',
      help: "check the log receipt and checkpoint with the log's C2SP verifier key (or a file holding it)",
    },
    suspect: { value: 'FILE', help: 'the suspect text as you hold it: its SHA-256 must be the one the bundle names' },
    'allow-unsigned': {
      help: "accept a bundle without the provider's signature; the verdict then says UNSIGNED (without this flag an unsigned bundle fails: SIGNET_E_EVIDENCE_UNSIGNED)",
    },
    json: { help: 'print the verdict as JSON' },
    html: { value: 'FILE', help: 'also write the check as a printable page (verdict, proofs, keys, checkpoint)' },
  },
  text: `Checks a bundle from \`signet attribute\` with public keys only (no registry, no network):
the envelope's signature, the log receipt and checkpoint (with --log-verifier-key), the content (the text
itself, or the excerpt proof against the envelope's chunk root), that the bundle's terms and
account tag are the envelope's, that the match method fits the content, and the provider's
signature over the whole bundle (which binds the account disclosure and the suspect's id,
digest, method and score).

Exit codes: 0 the bundle verifies, 1 it does not (the code says why), 2 usage or unreadable input.`,
  async run(args, io) {
    const [bundlePath, ...extra] = args.positionals;
    if (bundlePath === undefined) throw new UsageError('BUNDLE is required');
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    const jwks = await readText(io, required(args, 'trust'), 1_000_000);
    const bundle = await readText(io, bundlePath, 8 * 1024 * 1024);
    const logKeyArg = optional(args, 'log-verifier-key');
    const logKey = logKeyArg === undefined ? undefined : verifierKeyArg(logKeyArg);
    const suspectFile = optional(args, 'suspect');
    const suspect = suspectFile === undefined ? undefined : await readText(io, suspectFile, 8 * 1024 * 1024);
    let report;
    try {
      report = await verifyEvidence(bundle, {
        trust: jwks,
        ...(logKey === undefined ? {} : { logKey }),
        ...(suspect === undefined ? {} : { suspect }),
        ...(flag(args, 'allow-unsigned') ? { allowUnsigned: true } : {}),
      });
    } catch (e) {
      if (e instanceof SignetError) throw new InputError(`${e.code}: ${e.message}`);
      throw e;
    }
    const html = optional(args, 'html');
    if (html !== undefined) writePublicFile(html, renderEvidenceHtml(report, { bundlePath, logKey }));
    if (flag(args, 'json')) {
      const { bundle: _b, claims: _c, ...rest } = report;
      io.stdout(`${JSON.stringify(rest)}\n`);
      return report.valid ? 0 : 1;
    }
    io.stdout(evidenceReportText(report, bundlePath, shown));
    return report.valid ? 0 : 1;
  },
});

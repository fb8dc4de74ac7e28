import { getDefaultBackend, isSignetError, noteVerifierFromKey, NOTE_SIG_ED25519, toHex } from '@signet/core';
import { auditRemoteLog, checkEnvelopeReceipt } from '@signet/log';
import { flag, optional, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { readEnvelope } from '../envelope-input.js';
import { EXIT, isUnreachable } from '../exit.js';
import { readInput } from '../io.js';
import { decodeReceiptInput, verifierKeyArg } from './log-common.js';
import { shown } from '../terminal.js';

/** `signet log verify`: a receipt offline, or a whole log from its tiles. */
export const logVerify: Command = defineCommand({
  name: ['log', 'verify'],
  summary: 'verify a receipt offline, or audit a whole log from its tiles',
  flags: {
    'log-verifier-key': {
      value: 'KEY',
      help: "the log's verifier key (as `signet log key` prints it), or a file holding it",
      required: true,
    },
    receipt: { value: 'FILE', help: 'the receipt file', required: true },
    envelope: { value: 'FILE', help: 'the envelope (a file, or - for stdin)', required: true },
    url: { value: 'URL', help: "the log's URL, to check the receipt against its current tree" },
    json: { help: 'print JSON instead of text' },
  },
  synopsis: ['--log-verifier-key KEY --url URL [--json]'],
  text: `With --receipt: checks offline, with only the log's verifier key, that the envelope is entry N
of the tree the log signed at time T (RFC 9942 receipt). Adding --url also checks that this tree
is a prefix of the log's current checkpoint (a consistency proof from the log's tiles).
With --url alone: verifies the checkpoint, fetches every entry bundle and tile, rebuilds the tree
and checks that everything the log serves matches what it signed.
Exit 0: verified. Exit 1: it does not verify (the reason is printed). Exit 2: usage or input
(a private key where the verifier key belongs, say). Exit 3: the log could not be reached; nothing
was checked, and nothing is called invalid.`,
  async run(args, io) {
    const key = verifierKeyArg(optional(args, 'log-verifier-key'));
    const backend = getDefaultBackend();
    const verifier = noteVerifierFromKey(backend, key, NOTE_SIG_ED25519);
    const receiptFile = optional(args, 'receipt');
    const envelopeFile = optional(args, 'envelope');
    const url = optional(args, 'url');
    const json = flag(args, 'json');
    const report = (ok: boolean, data: Record<string, unknown>, line: string): number => {
      if (json) io.stdout(`${JSON.stringify({ valid: ok, ...data })}\n`);
      else (ok ? io.stdout : io.stderr)(`${line}\n`);
      return ok ? 0 : 1;
    };
    const failure = (e: unknown): number => {
      if (!isSignetError(e)) throw e;
      // A log that did not answer proved nothing either way: not INVALID, and not exit 1.
      if (isUnreachable(e)) {
        if (json) io.stdout(`${JSON.stringify({ valid: null, checked: false, code: e.code, message: e.message })}\n`);
        else io.stderr(`COULD NOT CHECK: ${e.code}: ${shown(e.message)}\n`);
        return EXIT.unreachable;
      }
      return report(false, { code: e.code, message: e.message }, `INVALID: ${e.code}: ${shown(e.message)}`);
    };

    if (receiptFile !== undefined || envelopeFile !== undefined) {
      if (receiptFile === undefined || envelopeFile === undefined) throw new UsageError('--receipt and --envelope go together');
      const envelope = await readEnvelope(io, envelopeFile);
      if (envelope.kind !== 'cose') throw new UsageError('receipts cover COSE envelopes, not the JWS profile');
      const receiptBytes = decodeReceiptInput(await readInput(io, receiptFile, 64 * 1024));
      let r;
      try {
        r = await checkEnvelopeReceipt(envelope.bytes, receiptBytes, verifier, { backend, ...(url === undefined ? {} : { url }) });
      } catch (e) {
        return failure(e);
      }
      const { origin, index, size, time, root, checkpointSize } = r;
      const data = {
        log: origin,
        index,
        treeSize: size,
        time,
        root: toHex(root),
        ...(checkpointSize === undefined ? {} : { checkpointSize }),
      };
      const extra = checkpointSize === undefined ? '' : `; consistent with the log's checkpoint at size ${checkpointSize}`;
      return report(
        true,
        data,
        `VALID: entry ${index} of log ${shown(origin)} (tree size ${size}), committed at ${new Date(time * 1000).toISOString()}${extra}`,
      );
    }

    if (url === undefined) throw new UsageError('give --receipt and --envelope, or --url');
    try {
      const { checkpoint: cp, tilesChecked } = await auditRemoteLog(url, verifier, { backend });
      return report(
        true,
        { log: cp.origin, treeSize: cp.size, root: toHex(cp.root), tiles: tilesChecked },
        `VALID: log ${shown(cp.origin)}: ${cp.size} entries and ${tilesChecked} tiles match the signed checkpoint`,
      );
    } catch (e) {
      return failure(e);
    }
  },
});

import { join } from 'node:path';
import { KEY_FILES, revokeInKeysDirectory } from '@signet/server';
import { flag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { parseTimeArg } from '../time-args.js';

/** `signet keys revoke`: adds a key to the directory's signed revocation list. */
export const keysRevoke: Command = defineCommand({
  name: ['keys', 'revoke'],
  summary: 'revoke a key: write the signed DIR/revocations.json',
  flags: {
    keys: { value: 'DIR', help: 'the keys directory', required: true },
    kid: { value: 'KID', help: 'the key id to revoke', required: true },
    reason: { value: 'TEXT', help: 'why the key is revoked (at most 256 characters)', required: true },
    at: { value: 'TIME', help: 'the revocation time (ISO time or epoch seconds; default now)' },
    json: { help: 'print JSON instead of text' },
  },
  text: `Adds KID to DIR/revocations.json (created if missing), signed by DIR's active key; an existing list
is verified first. From --at (default now; ISO time or epoch seconds) the key's envelopes fail,
unless a transparency-log receipt proves the log committed them before that time.
Verifiers honour the list with \`signet verify --revocations DIR/revocations.json\`.
The active signing key cannot be revoked: rotate first (\`signet keys rotate\`).`,
  async run(args, io) {
    const dir = required(args, 'keys');
    const kid = required(args, 'kid');
    if (!/^[A-Za-z0-9_-]{43}$/.test(kid)) throw new UsageError('--kid must be a key id (43 base64url characters)');
    const reason = required(args, 'reason');
    if (reason.length > 256) throw new UsageError('--reason is at most 256 characters');
    const atText = optional(args, 'at');
    const at = atText === undefined ? Math.floor(Date.now() / 1000) : parseTimeArg(atText, 'at');
    const doc = await revokeInKeysDirectory(dir, { kid, at, reason });
    const file = join(dir, KEY_FILES.revocations);
    if (flag(args, 'json')) io.stdout(`${JSON.stringify({ file, kid, at, reason, revoked: doc.revoked.length, signer: doc.signer })}\n`);
    else
      io.stdout(
        `revoked ${kid} from ${new Date(at * 1000).toISOString()} (${reason})\n  ${file}: ${doc.revoked.length} revoked key(s), signed by ${doc.signer}\n`,
      );
    return 0;
  },
});

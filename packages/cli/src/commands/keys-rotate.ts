import { rotateKeysDirectory } from '@signet/server';
import { flag, optional, required } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { parseDurationArg } from '../time-args.js';

/** `signet keys rotate`: a new active signing key; the old one stays published for verification. */
export const keysRotate: Command = defineCommand({
  name: ['keys', 'rotate'],
  summary: 'add a new active signing key to a keys directory and retire the old one',
  flags: {
    keys: { value: 'DIR', help: 'the keys directory', required: true },
    grace: { value: 'DURATION', help: 'how long the retired key stays valid for envelopes (e.g. 30d)' },
    json: { help: 'print JSON instead of text' },
  },
  text: `Generates a new signing key in DIR and makes it the active one: DIR/jwks.json gains the new key
(publish it), the old key stays in it with exp = now + grace (default 1d) so that envelopes it
signed stay verifiable and signers still running with it keep working until they reload, and
DIR/signing-key.jwk is replaced atomically (mode 0600). The old private key is destroyed.
\`signet sign --key DIR\` and the gateway's \`--keys DIR\` then sign with the new key.`,
  async run(args, io) {
    const dir = required(args, 'keys');
    const graceText = optional(args, 'grace');
    const result = rotateKeysDirectory(dir, graceText === undefined ? {} : { graceSeconds: parseDurationArg(graceText, 'grace') });
    if (flag(args, 'json'))
      io.stdout(
        `${JSON.stringify({ kid: result.kid, previousKid: result.previousKid, previousNotAfter: result.previousNotAfter, keys: result.jwks.keys.length })}\n`,
      );
    else
      io.stdout(
        `rotated: new active key ${result.kid}\n  retired ${result.previousKid} (valid for envelopes until ${new Date(result.previousNotAfter * 1000).toISOString()})\n  ${result.jwks.keys.length} keys in jwks.json: publish it\n`,
      );
    return 0;
  },
});

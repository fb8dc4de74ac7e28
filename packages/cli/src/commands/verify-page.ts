import { join } from 'node:path';
import { parseJwks, SignetError, toJwks } from '@signet/core';
import { renderVerifyPage, VERIFY_PAGE_PATH } from '@signet/verify-page';
import { optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { InputError, readFileText, writePublicFile } from '../io.js';

/** `signet verify-page`: writes the verifier page for static hosting. */
export const verifyPage: Command = defineCommand({
  name: ['verify-page'],
  summary: 'write the verifier page (one HTML file) for static hosting',
  flags: {
    out: { value: 'DIR', required: true, help: 'write DIR/index.html' },
    jwks: { value: 'FILE', help: "preload these public keys (the provider's jwks.json), so readers need not find them" },
    source: { value: 'NAME', help: 'whose keys they are, as the page names them (default: the file name)' },
  },
  text: `Writes one self-contained page that checks answers (a response JSON as received, a saved
event stream, plain text with its envelope), evidence bundles and log receipts in the browser, and
says in plain words what the verdict proves and what it does not. It needs no server; its only
network request is fetching a JWKS from a URL the reader types. Private keys are refused.
The signing gateway serves the same page at ${VERIFY_PAGE_PATH} with its own keys preloaded.`,
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
    const dir = required(args, 'out');
    const jwksFile = optional(args, 'jwks');
    let jwks;
    if (jwksFile !== undefined) {
      try {
        // Only public keys go into a public page: parse strictly and write back the public members.
        jwks = toJwks(parseJwks(readFileText(jwksFile, 'JWKS', 1_000_000)));
      } catch (e) {
        if (e instanceof SignetError) throw new InputError(`${jwksFile} is not a usable JWKS: ${e.code}: ${e.message}`);
        throw e;
      }
    }
    const html = renderVerifyPage(jwks === undefined ? {} : { jwks, source: optional(args, 'source') ?? jwksFile ?? '' });
    const out = join(dir, 'index.html');
    writePublicFile(out, html);
    io.stderr(
      `wrote ${out} (${html.length} bytes)${jwks === undefined ? '' : `; keys preloaded: ${jwks.keys.map((k) => k.kid).join(', ')}`}\n`,
    );
    return 0;
  },
});

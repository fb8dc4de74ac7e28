import { SignetError } from '@signet/core';
import { createSigner, loadSigningKey, readTermsFile, resolveAccountSecret } from '@signet/server';
import { dirname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { InputError, readJson, readText } from '../io.js';

/** `signet sign`: seals a response read from stdin (or --response) and prints the envelope. */
export const sign: Command = defineCommand({
  name: ['sign'],
  summary: 'seal a response (text on stdin, or an OpenAI-compatible JSON response)',
  flags: {
    key: { value: 'FILE|DIR', required: true, help: 'the signing key file, or a keys directory' },
    issuer: { value: 'ISS', required: true, help: 'the issuer named in the envelope' },
    account: { value: 'ID', required: true, help: 'the account the response was served to' },
    terms: { value: 'FILE', required: true, help: 'the terms file the response was served under' },
    model: { value: 'NAME', help: 'the model (required when the response is plain text)' },
    'account-secret-file': { value: 'FILE', default: 'account-secret next to the key', help: 'account-tag secret' },
    request: { value: 'FILE', help: 'the request, bound by its digest' },
    response: { value: 'FILE', help: 'an OpenAI-compatible JSON response (default: text on stdin)' },
    'response-id': { value: 'ID', help: 'the response id to seal' },
    format: { value: 'cose|jws', default: 'cose', help: 'the envelope format' },
  },
  text: `Reads the response text from stdin, or an OpenAI-compatible JSON response (chat.completion,
text_completion or response object) from --response FILE, and prints the envelope:
base64url COSE_Sign1 (default) or a compact JWS (--format jws).
The account-tag secret defaults to account-secret next to the key (SIGNET_ACCOUNT_SECRET overrides).`,
  async run(args, io) {
    const keyPath = required(args, 'key');
    const format = optional(args, 'format') ?? 'cose';
    if (format !== 'cose' && format !== 'jws') throw new UsageError('--format must be cose or jws');
    const responseFile = optional(args, 'response');
    const model = optional(args, 'model');
    if (responseFile === undefined && model === undefined) throw new UsageError('--model is required when the response is plain text');
    const accountSecret = resolveAccountSecret(
      optional(args, 'account-secret-file'),
      io.env.SIGNET_ACCOUNT_SECRET,
      existsSync(keyPath) && statSync(keyPath).isDirectory() ? keyPath : dirname(keyPath),
    );
    const signer = createSigner({
      issuer: required(args, 'issuer'),
      key: loadSigningKey(keyPath),
      accountSecret,
      terms: readTermsFile(required(args, 'terms')),
    });
    const response = responseFile !== undefined ? await readJson(io, responseFile) : await readText(io, '-');
    const requestFile = optional(args, 'request');
    const request = requestFile === undefined ? undefined : await readJson(io, requestFile);
    const responseId = optional(args, 'response-id');
    const input = {
      account: required(args, 'account'),
      response,
      ...(request === undefined ? {} : { request }),
      ...(model === undefined ? {} : { model }),
      ...(responseId === undefined ? {} : { responseId }),
    };
    try {
      if (format === 'jws') io.stdout(`${(await signer.sealJws(input)).jws}\n`);
      else io.stdout(`${(await signer.seal(input)).text}\n`);
    } catch (e) {
      if (e instanceof SignetError && e.code === 'SIGNET_E_INPUT_INVALID')
        throw new InputError(`${e.message}${e.hint ? ` (${e.hint})` : ''}`);
      throw e;
    }
    return 0;
  },
});

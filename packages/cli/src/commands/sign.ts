import { SignetError } from '@signet/core';
import { createSigner, loadSigningKey, readTermsFile, resolveAccountSecret } from '@signet/server';
import { dirname } from 'node:path';
import { statSync } from 'node:fs';
import { optional, parseArgs, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { InputError, readJson, readText } from '../io.js';

function defaultSecretDir(keyPath: string): string {
  try {
    if (statSync(keyPath).isDirectory()) return keyPath;
  } catch {
    // Reported when the key itself is loaded.
  }
  return dirname(keyPath);
}

/** `signet sign`: seals a response read from stdin (or --response) and prints the envelope. */
export const sign: Command = {
  name: ['sign'],
  summary: 'seal a response (text on stdin, or an OpenAI-compatible JSON response)',
  usage: `Usage: signet sign --key FILE|DIR --issuer ISS --account ID --terms FILE --model NAME
                   [--account-secret-file FILE] [--request FILE] [--response FILE]
                   [--response-id ID] [--format cose|jws]

Reads the response text from stdin, or an OpenAI-compatible JSON response (chat.completion,
text_completion or response object) from --response FILE, and prints the envelope:
base64url COSE_Sign1 (default) or a compact JWS (--format jws).
The account-tag secret defaults to account-secret next to the key (SIGNET_ACCOUNT_SECRET overrides).`,
  async run(argv, io) {
    const args = parseArgs(argv, {
      key: 'string',
      issuer: 'string',
      account: 'string',
      'account-secret-file': 'string',
      terms: 'string',
      model: 'string',
      request: 'string',
      response: 'string',
      'response-id': 'string',
      format: 'string',
    });
    const keyPath = required(args, 'key');
    const format = optional(args, 'format') ?? 'cose';
    if (format !== 'cose' && format !== 'jws') throw new UsageError('--format must be cose or jws');
    const responseFile = optional(args, 'response');
    const model = optional(args, 'model');
    if (responseFile === undefined && model === undefined) throw new UsageError('--model is required when the response is plain text');
    const accountSecret = resolveAccountSecret(
      optional(args, 'account-secret-file'),
      io.env.SIGNET_ACCOUNT_SECRET,
      defaultSecretDir(keyPath),
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
};

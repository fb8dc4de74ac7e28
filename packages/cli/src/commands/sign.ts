import { SignetError } from '@signet/core';
import { createSigner, loadSigningKey, readTermsFile, resolveAccountSecret } from '@signet/server';
import { dirname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { flag, optional, required, UsageError } from '../args.js';
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
    'account-mode': { value: 'linkable|commitment', default: 'linkable', help: 'an account tag, or an unlinkable commitment' },
    auditors: { value: 'JWKS', help: "designated auditors' public keys: the account id is sealed to them" },
    json: { help: 'print {envelope, format, responseId, kid} as JSON' },
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
    const accountMode = optional(args, 'account-mode') ?? 'linkable';
    if (accountMode !== 'linkable' && accountMode !== 'commitment') throw new UsageError('--account-mode must be linkable or commitment');
    // The key first: a wrong --key is reported as such, not as a missing account secret next to it.
    const key = loadSigningKey(keyPath);
    const accountSecret = resolveAccountSecret(
      optional(args, 'account-secret-file'),
      io.env.SIGNET_ACCOUNT_SECRET,
      existsSync(keyPath) && statSync(keyPath).isDirectory() ? keyPath : dirname(keyPath),
    );
    const auditorsFile = optional(args, 'auditors');
    const signer = createSigner({
      issuer: required(args, 'issuer'),
      key,
      accountSecret,
      terms: readTermsFile(required(args, 'terms')),
      accountMode,
      ...(auditorsFile === undefined ? {} : { auditors: await readText(io, auditorsFile, 1_000_000) }),
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
      const json = flag(args, 'json');
      if (format === 'jws') {
        const sealed = await signer.sealJws(input);
        io.stdout(
          json
            ? `${JSON.stringify({ envelope: sealed.jws, format, responseId: sealed.claims.responseId, kid: key.kid })}\n`
            : `${sealed.jws}\n`,
        );
      } else {
        const sealed = await signer.seal(input);
        io.stdout(
          json
            ? `${JSON.stringify({ envelope: sealed.text, format, responseId: sealed.claims.responseId, kid: sealed.kid })}\n`
            : `${sealed.text}\n`,
        );
      }
    } catch (e) {
      if (e instanceof SignetError && e.code === 'SIGNET_E_INPUT_INVALID')
        throw new InputError(`${e.message}${e.hint ? ` (${e.hint})` : ''}`);
      throw e;
    }
    return 0;
  },
});

import { fromBase64url, getDefaultBackend, SignetError } from '@signet/core';
import { readTermsFile, termsClaim } from '@signet/server';
import {
  createVerifier,
  NORMALIZED_WARNING,
  verifySavedResponse,
  type VerificationPolicy,
  type VerificationResult,
  type VerifyInput,
  verificationResultToJson,
} from '@signet/verify';
import { readTrustFiles, readTrustJwks } from '@signet/verify/node';
import { flag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { readEnvelope } from '../envelope-input.js';
import { InputError, readInput, readJson, readText, type CommandIO } from '../io.js';
import { decodeReceiptInput, verifierKeyArg } from './log-common.js';
import { shown } from '../terminal.js';

/** `signet verify`: checks an envelope against text or a response. Exit 0 valid, 1 invalid, 2 usage. */
export const verify: Command = defineCommand({
  name: ['verify'],
  summary: 'verify an envelope against the text (or response) it seals',
  flags: {
    trust: { value: 'JWKS|URL', required: true, help: "the issuer's public keys: a JWKS file, or the URL where the provider publishes it" },
    envelope: {
      value: 'FILE|-',
      help: 'the envelope (base64url COSE_Sign1 or compact JWS, or a saved answer that carries one); omit it with a saved --response',
    },
    text: { value: 'FILE|-', help: 'the text the envelope seals (this, or --response)' },
    response: {
      value: 'FILE|-',
      help: 'the OpenAI-compatible JSON response it seals; without --envelope, a saved answer (JSON body or stream capture) checked byte for byte',
    },
    request: { value: 'FILE|-', help: 'the request, checked against the sealed request digest' },
    terms: { value: 'FILE', help: 'check that the envelope was served under this terms file (id, version, document)' },
    issuer: { value: 'ISS', repeatable: true, help: 'accept only this issuer' },
    'account-tag': { value: 'TAG', repeatable: true, help: 'accept only this account tag (base64url)' },
    choice: { value: 'N', help: 'the choice of the response to check' },
    'allow-partial': { help: 'accept a partial (cut-off) seal' },
    'allow-normalized': { help: 'also accept text that only matches after normalization (see above)' },
    revocations: {
      value: 'FILE',
      help: 'honour a signed revocation list (`signet keys revoke`): an envelope of a revoked key fails unless a log receipt proves it was committed before the revocation',
    },
    roots: { value: 'JWKS', help: 'accept delegated node keys (`signet keys delegate`) certified by these root keys' },
    'log-verifier-key': {
      value: 'KEY',
      help: "check transparency-log receipts with the log's verifier key; a valid receipt's time is what revocation and delegation windows are held to",
    },
    receipt: { value: 'FILE', help: 'the receipt, when the envelope does not carry it (needs --log-verifier-key)' },
    'hybrid-keys': {
      value: 'JWKS',
      help: 'require a hybrid seal: an ML-DSA-44 signature by one of these keys (`signet keys pq`) as well as the Ed25519 one',
    },
    json: { help: 'print the result as JSON' },
  },
  text: `Checks, in order: parse, key, signature, validity window, content, request digest, terms and
policy. Exit 0: valid. Exit 1: invalid (the reason code is printed on stderr, or in the JSON
with --json). Exit 2: could not check: usage, unreadable input, an unusable key or trust file.
Exit 3: could not check: the --trust URL did not answer.
A saved answer (--response FILE without --envelope: the JSON body as received, or a stream's SSE
text) is checked as the verifying fetch checks the live one: envelope from its carrier, exact bytes.
The content must match the sealed text exactly. --allow-normalized also accepts text that only
matches after normalization (Unicode NFC, white space folded); such a match is reported as
"VALID, NORMALIZED MATCH ONLY" (JSON: "match": "normalized"): it cannot tell re-indented code, a
list run into a paragraph, or words joined or split at white space from the sealed text.`,
  async run(args, io) {
    const trustPath = required(args, 'trust');
    const envelopeSource = optional(args, 'envelope');
    const textFile = optional(args, 'text');
    const responseFile = optional(args, 'response');
    if ((textFile === undefined) === (responseFile === undefined)) throw new UsageError('give exactly one of --text or --response');
    if (envelopeSource === undefined && responseFile === undefined)
      throw new UsageError('give --envelope, or --response with a saved answer that carries its envelope');
    if ([textFile, responseFile, envelopeSource, optional(args, 'request')].filter((f) => f === '-').length > 1)
      throw new UsageError('only one input can read stdin (-)');
    const jwks = await readTrustJwks(trustPath);
    const termsFile = optional(args, 'terms');
    const terms = termsFile === undefined ? undefined : termsClaim(readTermsFile(termsFile), getDefaultBackend());
    const issuers = args.flags.issuer as string[] | undefined;
    const tags = args.flags['account-tag'] as string[] | undefined;
    const policy: VerificationPolicy = {
      ...(issuers === undefined ? {} : { issuers }),
      ...(tags === undefined
        ? {}
        : {
            accountTags: tags.map((t) => {
              try {
                return fromBase64url(t);
              } catch {
                throw new UsageError('--account-tag must be base64url');
              }
            }),
          }),
      ...(terms === undefined ? {} : { terms: { id: terms.id, version: terms.version, digest: terms.digest } }),
      ...(flag(args, 'allow-partial') ? { allowPartial: true } : {}),
      // Explicit either way: a client check is exact unless the user asks for less.
      allowNormalized: flag(args, 'allow-normalized'),
    };
    const logKey = optional(args, 'log-verifier-key');
    const [hybridKeys, roots, revocations] = [optional(args, 'hybrid-keys'), optional(args, 'roots'), optional(args, 'revocations')];
    const extensions = await readTrustFiles(jwks, {
      ...(logKey === undefined ? {} : { logKey: verifierKeyArg(logKey) }),
      ...(hybridKeys === undefined ? {} : { hybridKeys }),
      ...(roots === undefined ? {} : { roots }),
      ...(revocations === undefined ? {} : { revocations }),
    });
    const receiptFile = optional(args, 'receipt');
    if (receiptFile !== undefined && extensions.receipt === undefined) throw new UsageError('--receipt needs --log-verifier-key');
    let verifier;
    try {
      verifier = createVerifier({ trust: jwks, policy, extensions });
    } catch (e) {
      if (e instanceof SignetError) throw new InputError(`the trust JWKS ${trustPath} is not usable: ${e.code}: ${e.message}`);
      throw e;
    }
    const choiceText = optional(args, 'choice');
    const choice = choiceText === undefined ? undefined : Number(choiceText);
    if (choice !== undefined && (!Number.isSafeInteger(choice) || choice < 0)) throw new UsageError('--choice must be a whole number');
    const requestFile = optional(args, 'request');
    if (envelopeSource === undefined) {
      // A saved answer: the envelope from its carrier, the exact bytes checked.
      const bytes = await readInput(io, responseFile as string);
      const request = requestFile === undefined ? undefined : await readJson(io, requestFile);
      let saved: VerificationResult;
      try {
        saved = await verifySavedResponse(bytes, { verifier, ...(request === undefined ? {} : { request }) });
      } catch (e) {
        if (e instanceof SignetError) throw new InputError(`${responseFile as string}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
        throw e;
      }
      return printResult(saved, flag(args, 'json'), io);
    }
    const input: VerifyInput = {
      ...(textFile === undefined ? {} : { text: await readText(io, textFile) }),
      ...(responseFile === undefined ? {} : { response: await readJson(io, responseFile) }),
      ...(requestFile === undefined ? {} : { request: await readJson(io, requestFile) }),
      ...(choice === undefined ? {} : { choice }),
      ...(receiptFile === undefined ? {} : { receipt: decodeReceiptInput(await readInput(io, receiptFile, 64 * 1024)) }),
    };
    let result: VerificationResult;
    try {
      const envelope = await readEnvelope(io, envelopeSource);
      result = envelope.kind === 'jws' ? await verifier.verifyJws(envelope.jws, input) : await verifier.verify(envelope.bytes, input);
    } catch (e) {
      if (!(e instanceof SignetError)) throw e;
      result = { valid: false, kind: 'verification', code: e.code, step: 'parse', message: e.message };
    }
    return printResult(result, flag(args, 'json'), io);
  },
});

/** Prints a verification result and returns its exit code (0 valid, 1 invalid). */
function printResult(result: VerificationResult, json: boolean, io: CommandIO): number {
  if (json) io.stdout(`${JSON.stringify(verificationResultToJson(result))}\n`);
  else if (result.valid) {
    const c = result.claims;
    // A normalized match gets its own headline: the text is not the exact sealed text.
    const normalized = result.content?.match === 'normalized';
    const headline = normalized ? 'VALID, NORMALIZED MATCH ONLY' : 'valid';
    io.stdout(
      `${headline}: sealed by ${shown(c.issuer)} (key ${shown(result.key.kid)})\n  response ${shown(c.responseId)}, model ${shown(c.model)}, issued ${new Date(c.issuedAt * 1000).toISOString()}\n  terms ${shown(c.terms.id)} ${shown(c.terms.version)}; content matched ${result.content?.match ?? 'not checked'}${result.requestChecked ? '; request matched' : ''}\n${normalized ? `  warning: ${NORMALIZED_WARNING}\n` : ''}`,
    );
  }
  if (!result.valid) {
    io.stderr(
      `invalid: ${result.code} (${result.kind} failure at step "${result.step}"): ${shown(result.message)}${result.hint ? `\n  hint: ${shown(result.hint)}` : ''}\n`,
    );
    return 1;
  }
  return 0;
}

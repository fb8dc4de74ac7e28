import { fromBase64url, getDefaultBackend, SignetError } from '@signet/core';
import { readTermsFile, termsClaim } from '@signet/server';
import {
  assembleTrust,
  createVerifier,
  NORMALIZED_WARNING,
  TrustInputError,
  type TrustExtensions,
  type VerificationPolicy,
  type VerificationResult,
  type VerifyInput,
  verificationResultToJson,
} from '@signet/verify';
import { flag, optional, required, UsageError, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { readEnvelope } from '../envelope-input.js';
import { InputError, readFileText, readInput, readJson, readText } from '../io.js';
import { decodeReceiptInput, verifierKeyArg } from './log-common.js';
import { shown } from '../terminal.js';

/** `signet verify`: checks an envelope against text or a response. Exit 0 valid, 1 invalid, 2 usage. */
export const verify: Command = defineCommand({
  name: ['verify'],
  summary: 'verify an envelope against the text (or response) it seals',
  flags: {
    trust: { value: 'JWKS', required: true, help: "the issuer's public keys" },
    envelope: { value: 'FILE|-', required: true, help: 'the envelope (base64url COSE_Sign1 or compact JWS)' },
    text: { value: 'FILE|-', help: 'the text the envelope seals (this, or --response)' },
    response: { value: 'FILE', help: 'the OpenAI-compatible JSON response it seals' },
    request: { value: 'FILE', help: 'the request, checked against the sealed request digest' },
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
    'log-key': {
      value: 'KEY',
      help: "check transparency-log receipts with the log's verifier key; a valid receipt's time is what revocation and delegation windows are held to",
    },
    receipt: { value: 'FILE', help: 'the receipt, when the envelope does not carry it (needs --log-key)' },
    'hybrid-keys': {
      value: 'JWKS',
      help: 'require a hybrid seal: an ML-DSA-44 signature by one of these keys (`signet keys pq`) as well as the Ed25519 one',
    },
    json: { help: 'print the result as JSON' },
  },
  text: `Checks, in order: parse, key, signature, validity window, content, request digest, terms and
policy. Exit 0: valid. Exit 1: invalid (the reason code is printed on stderr, or in the JSON
with --json). Exit 2: usage or unreadable input.
The content must match the sealed text exactly. --allow-normalized also accepts text that only
matches after normalization (Unicode NFC, white space folded); such a match is reported as
"VALID, NORMALIZED MATCH ONLY" (JSON: "match": "normalized"): it cannot tell re-indented code, a
list run into a paragraph, or words joined or split at white space from the sealed text.`,
  async run(args, io) {
    const trustPath = required(args, 'trust');
    const envelopeSource = required(args, 'envelope');
    const textFile = optional(args, 'text');
    const responseFile = optional(args, 'response');
    if ((textFile === undefined) === (responseFile === undefined)) throw new UsageError('give exactly one of --text or --response');
    if (textFile === '-' && envelopeSource === '-') throw new UsageError('--text and --envelope cannot both read stdin');
    const jwks = readFileText(trustPath, 'trust JWKS', 1_000_000);
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
    const extensions = await trustExtensions(jwks, args);
    const receiptFile = optional(args, 'receipt');
    if (receiptFile !== undefined && extensions.receipt === undefined) throw new UsageError('--receipt needs --log-key');
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
    if (flag(args, 'json')) io.stdout(`${JSON.stringify(verificationResultToJson(result))}\n`);
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
  },
});

/** The trust flags (`--log-key`, `--hybrid-keys`, `--roots`, `--revocations`) as verifier extensions. */
async function trustExtensions(trust: string, args: ParsedArgs): Promise<TrustExtensions> {
  const read = (path: string, what: string): string => readFileText(path, what, 4_000_000);
  const logKey = optional(args, 'log-key');
  const hybridFile = optional(args, 'hybrid-keys');
  const rootsFile = optional(args, 'roots');
  const revocationsFile = optional(args, 'revocations');
  const inputs = {
    trust,
    ...(logKey === undefined ? {} : { logKey: verifierKeyArg(logKey) }),
    ...(hybridFile === undefined ? {} : { hybridKeys: read(hybridFile, 'hybrid keys JWKS') }),
    ...(rootsFile === undefined ? {} : { roots: read(rootsFile, 'roots JWKS') }),
    ...(revocationsFile === undefined ? {} : { revocations: read(revocationsFile, 'revocation list') }),
  };
  try {
    return await assembleTrust(inputs);
  } catch (e) {
    if (!(e instanceof TrustInputError)) throw e;
    const why = `${e.cause.code}: ${e.cause.message}`;
    if (e.input === 'hybridKeys') throw new InputError(`the hybrid keys JWKS ${hybridFile} is not usable: ${why}`);
    const what =
      revocationsFile !== undefined && rootsFile === undefined ? `the revocation list ${revocationsFile}` : 'the revocation list or roots';
    throw new InputError(`${what} is not usable: ${why}`);
  }
}

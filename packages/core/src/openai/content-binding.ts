import type { CryptoBackend } from '../backend/types.js';
import { bodyDigestsEqual } from './body.js';
import { equalBytes, utf8 } from '../primitives/bytes.js';
import type { BodyDigest, EnvelopeClaims } from '../format/claims.js';
import { assertWellFormedText, digestRequest, digestStructured, sha256Text, type ChoiceDigests } from '../format/content.js';
import { isSignetError, SignetError, type SignetErrorCode } from '../primitives/errors.js';
import { normalizeText } from '../primitives/normalize.js';
import { extractResponseContent } from './response.js';
import type { StreamKind } from './stream-assembly.js';

/**
 * The content-binding rule: what a verifier compares with an envelope's content claims, and when
 * the comparison passes. It lives next to {@link digestContent} so the signer's digests and the
 * verifier's comparison cannot drift apart.
 *
 * Order: partial responses -> exact body bytes -> response object (shape, every choice, response
 * id) or one text -> request. An exact match is the default; a normalized one is accepted only
 * when the caller allows it, and is then reported as such.
 */

/** Which content digest matched. */
export type ContentMatch = 'exact' | 'normalized';

/** What content to check against an envelope. */
export interface ContentInput {
  /** The text of one choice (what an auditor holding only the text has). */
  readonly text?: string;
  /** With `text`: the choice it belongs to. Without it, any choice may match. */
  readonly choice?: number;
  /** The whole response object (chat.completion, text_completion, response): every choice must match. */
  readonly response?: unknown;
  /** The shape the response's route calls for (a client knows it from the URL it called). */
  readonly kind?: StreamKind;
  /** The digest of the exact bytes received (see `body.ts`): checked against the body claim. */
  readonly body?: BodyDigest;
  /** The id of the response the envelope is expected to seal. */
  readonly responseId?: string;
  /** The request body, checked against the request digest. */
  readonly request?: unknown;
  /** Verify the seal without any content. Off by default: a seal proves nothing about text nobody checked. */
  readonly allowMissingContent?: boolean;
}

/** How strict the comparison is. */
export interface ContentRules {
  /** Accept a match of the normalized digest only (reformatted text). */
  readonly allowNormalized: boolean;
  /** Accept envelopes marked partial. */
  readonly allowPartial: boolean;
  /** Require the exact bytes (`input.body`) to be checked: a client displaying a response does. */
  readonly requireBody?: boolean;
}

/** The outcome of the content binding. */
export interface ContentBinding {
  /** The choice indexes checked, with the digest that matched for each. */
  readonly choices: readonly { index: number; match: ContentMatch; structured: boolean }[];
  /** The weakest match over all checked choices. */
  readonly match: ContentMatch;
  /** Whether the exact bytes of the response were checked. */
  readonly body: boolean;
}

function fail(code: SignetErrorCode, message: string, hint?: string): never {
  throw new SignetError(code, message, { step: 'content', ...(hint === undefined ? {} : { hint }) });
}

/** Digests of a candidate text, the normalized one computed only when the exact one fails. */
function matcher(backend: CryptoBackend, text: string, allowNormalized: boolean): (d: ChoiceDigests) => ContentMatch | undefined {
  try {
    assertWellFormedText(text);
  } catch (e) {
    if (isSignetError(e)) fail('SIGNET_E_CONTENT_MISMATCH', e.message);
    throw e;
  }
  const exact = sha256Text(backend, text);
  let normalized: Uint8Array | undefined;
  return (d) => {
    if (equalBytes(exact, d.exact)) return 'exact';
    if (allowNormalized && equalBytes((normalized ??= sha256Text(backend, normalizeText(text))), d.normalized)) return 'normalized';
    return undefined;
  };
}

const NORMALIZED_HINT = 'The text matches only after normalization; pass allowNormalized (CLI: --allow-normalized) to accept that.';

function checkResponse(
  backend: CryptoBackend,
  claims: EnvelopeClaims,
  input: ContentInput,
  rules: ContentRules,
  bodyChecked: boolean,
): ContentBinding {
  let extracted;
  try {
    extracted = extractResponseContent(input.response, { ...(input.kind === undefined ? {} : { kind: input.kind }), strict: !bodyChecked });
  } catch (e) {
    if (isSignetError(e)) fail(e.code, `The response cannot be checked: ${e.message}`, e.hint);
    throw e;
  }
  // The envelope names the response it seals: a valid envelope moved onto another response with
  // the same text (the same question asked twice) must not pass, nor one whose id was removed. A
  // signer gives a response without an id a fresh `sgn_` id, which such a response cannot repeat.
  const id = extracted.id;
  if (typeof input.response === 'object' && (id !== undefined || !claims.responseId.startsWith('sgn_')) && id !== claims.responseId)
    fail(
      'SIGNET_E_CONTENT_RESPONSE_ID',
      id === undefined
        ? `The response has no id; the envelope seals response ${claims.responseId.slice(0, 80)}.`
        : `The envelope seals response ${claims.responseId.slice(0, 80)}, not ${id.slice(0, 80)}.`,
      'The envelope was moved here from another response.',
    );
  if (extracted.choices.length !== claims.content.length)
    fail('SIGNET_E_CONTENT_MISMATCH', `The response has ${extracted.choices.length} choices; the envelope seals ${claims.content.length}.`);
  let sawNormalizedOnly = false;
  const choices = extracted.choices.map((c, index) => {
    const d = claims.content[index] as ChoiceDigests;
    const match = matcher(backend, c.text, rules.allowNormalized)(d);
    if (match === undefined) {
      sawNormalizedOnly ||= !rules.allowNormalized && matcher(backend, c.text, true)(d) === 'normalized';
      fail(
        'SIGNET_E_CONTENT_MISMATCH',
        `Choice ${index}'s text does not match the envelope.`,
        sawNormalizedOnly ? NORMALIZED_HINT : undefined,
      );
    }
    const computed = c.structured === undefined ? undefined : digestStructured(backend, c.structured);
    if (
      (computed === undefined) !== (d.structured === undefined) ||
      (computed !== undefined && !equalBytes(computed, d.structured as Uint8Array))
    )
      fail('SIGNET_E_CONTENT_MISMATCH', `Choice ${index}'s tool calls, refusal or other output items do not match the envelope.`);
    return { index, match, structured: d.structured !== undefined };
  });
  return { choices, match: choices.some((c) => c.match === 'normalized') ? 'normalized' : 'exact', body: bodyChecked };
}

function checkText(
  backend: CryptoBackend,
  claims: EnvelopeClaims,
  input: ContentInput & { text: string },
  rules: ContentRules,
  bodyChecked: boolean,
): ContentBinding {
  if (typeof input.text !== 'string') fail('SIGNET_E_CONTENT_MISMATCH', 'The text must be a string.');
  if (input.choice !== undefined && (!Number.isInteger(input.choice) || input.choice < 0 || input.choice >= claims.content.length))
    fail('SIGNET_E_CONTENT_CHOICE', `The envelope has no choice ${String(input.choice)}.`);
  const match = matcher(backend, input.text, rules.allowNormalized);
  const indexes = input.choice === undefined ? claims.content.map((_, i) => i) : [input.choice];
  let normalizedHit: number | undefined;
  for (const i of indexes) {
    const m = match(claims.content[i] as ChoiceDigests);
    if (m === 'exact') return { choices: [{ index: i, match: 'exact', structured: false }], match: 'exact', body: bodyChecked };
    if (m === 'normalized') normalizedHit ??= i;
  }
  if (normalizedHit !== undefined)
    return { choices: [{ index: normalizedHit, match: 'normalized', structured: false }], match: 'normalized', body: bodyChecked };
  const loose =
    !rules.allowNormalized && indexes.some((i) => matcher(backend, input.text, true)(claims.content[i] as ChoiceDigests) === 'normalized');
  return fail(
    'SIGNET_E_CONTENT_MISMATCH',
    loose
      ? 'The text does not match the envelope exactly.'
      : 'The text does not match the envelope (neither exactly nor after normalization).',
    loose ? NORMALIZED_HINT : 'The text was changed after it was sealed, or it belongs to another envelope.',
  );
}

/**
 * Checks content against an envelope's claims. Returns what matched, or null when the caller
 * allowed verifying without content and gave none; throws a content-step `SignetError` otherwise.
 */
export function checkContentBinding(
  backend: CryptoBackend,
  claims: EnvelopeClaims,
  input: ContentInput,
  rules: ContentRules,
): ContentBinding | null {
  if (claims.partial === true && !rules.allowPartial)
    fail(
      'SIGNET_E_CONTENT_PARTIAL',
      'The envelope seals a partial response (the stream was cut off).',
      'Set policy.allowPartial to accept partial responses.',
    );
  let bodyChecked = false;
  if (input.body !== undefined) {
    if (claims.body === undefined)
      fail(
        'SIGNET_E_CONTENT_BODY_MISSING',
        'The envelope does not seal the exact bytes of the response.',
        'Seal through a current gateway or sealing middleware.',
      );
    if (!bodyDigestsEqual(input.body, claims.body))
      fail(
        'SIGNET_E_CONTENT_BODY_MISMATCH',
        input.body.media === claims.body.media
          ? 'The bytes received differ from the bytes the envelope seals.'
          : `The envelope seals a ${claims.body.media} body, but a ${input.body.media} body arrived.`,
        'The response was changed on its way from the provider.',
      );
    bodyChecked = true;
  } else if (rules.requireBody === true) fail('SIGNET_E_CONTENT_BODY_MISSING', 'The exact bytes of the response were not checked.');
  if (input.responseId !== undefined && input.responseId !== claims.responseId)
    fail(
      'SIGNET_E_CONTENT_RESPONSE_ID',
      `The envelope seals response ${claims.responseId.slice(0, 80)}, not ${input.responseId.slice(0, 80)}.`,
    );
  if (input.response !== undefined) return checkResponse(backend, claims, input, rules, bodyChecked);
  if (input.text !== undefined) return checkText(backend, claims, input as ContentInput & { text: string }, rules, bodyChecked);
  if (input.allowMissingContent === true) return null;
  return fail(
    'SIGNET_E_CONTENT_MISSING',
    'No text or response was given to check against the envelope.',
    'Pass the text (or response) the envelope is meant to seal.',
  );
}

/** Checks a request against the envelope's request digest. Returns whether a request was checked. */
export function checkRequestBinding(backend: CryptoBackend, claims: EnvelopeClaims, request: unknown): boolean {
  if (request === undefined) return false;
  if (claims.requestDigest === undefined)
    fail('SIGNET_E_REQUEST_MISMATCH', 'The envelope has no request digest to check the request against.');
  let digest: Uint8Array;
  try {
    digest = digestRequest(backend, request);
  } catch {
    return fail('SIGNET_E_REQUEST_MISMATCH', 'The request is not canonicalizable JSON.');
  }
  if (!equalBytes(digest, claims.requestDigest))
    fail('SIGNET_E_REQUEST_MISMATCH', "The request does not match the envelope's request digest.");
  return true;
}

/** The SHA-256 of a terms document, compared with the envelope's terms digest. */
export function termsDocumentMatches(backend: CryptoBackend, claims: EnvelopeClaims, document: string | Uint8Array): boolean {
  return equalBytes(backend.sha256(typeof document === 'string' ? utf8(document) : document), claims.terms.digest);
}

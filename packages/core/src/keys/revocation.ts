import { concatBytes, fromBase64url, toBase64url, utf8 } from '../primitives/bytes.js';
import { SignetError } from '../primitives/errors.js';
import { canonicalizeJson } from '../primitives/jcs.js';
import type { TrustedKey } from './keys.js';

/**
 * Signed revocation lists.
 *
 * A list is a small JSON document: which keys are revoked, from when, and why, signed with Ed25519
 * by a key the verifier trusts. The signature covers a domain-separation prefix and the RFC 8785
 * canonical form of every member but `sig`, so the file can be pretty-printed or reordered freely.
 *
 * The rule a verifier applies ({@link checkRevocation}): an envelope of a revoked key is valid only
 * when a transparency-log receipt proves the log committed it before the effective time. Its own
 * `iat` proves nothing, since whoever holds a stolen key can write any time there.
 */

/** The `typ` member of a revocation list. */
export const REVOCATION_LIST_TYPE = 'signet-revocations+json';

const DOMAIN = utf8('signet/revocations/v1\u0000');
const MAX_ENTRIES = 10_000;
const MAX_REASON = 256;

/** One revoked key. */
export interface RevocationEntry {
  /** The revoked key's kid. */
  readonly kid: string;
  /** Effective time, seconds since the epoch: envelopes committed at or after it fail. */
  readonly at: number;
  /** Why (free text, for people: "key compromise", "superseded" ...). */
  readonly reason: string;
}

/** The signed JSON document. */
export interface RevocationListDocument {
  readonly typ: typeof REVOCATION_LIST_TYPE;
  readonly v: 1;
  /** When the list was signed (seconds). */
  readonly issuedAt: number;
  readonly revoked: readonly RevocationEntry[];
  /** kid of the key that signed the list. */
  readonly signer: string;
  /** base64url Ed25519 signature. */
  readonly sig: string;
}

/** A verified list, indexed by kid. */
export interface RevocationList {
  readonly issuedAt: number;
  readonly signer: string;
  readonly entries: ReadonlyMap<string, RevocationEntry>;
}

function listFail(message: string): never {
  throw new SignetError('SIGNET_E_INPUT_INVALID', message, {
    hint: 'Use the revocations.json written by `signet keys revoke`, unmodified.',
  });
}

function toBeSigned(doc: Omit<RevocationListDocument, 'sig'>): Uint8Array {
  return concatBytes(
    DOMAIN,
    utf8(
      canonicalizeJson({
        typ: doc.typ,
        v: doc.v,
        issuedAt: doc.issuedAt,
        revoked: doc.revoked.map((e) => ({ kid: e.kid, at: e.at, reason: e.reason })),
        signer: doc.signer,
      }),
    ),
  );
}

function checkEntry(e: unknown, i: number): RevocationEntry {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) listFail(`Revocation entry ${i} must be an object.`);
  const o = e as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'kid' && k !== 'at' && k !== 'reason') listFail(`Revocation entry ${i} has an unknown member ${k.slice(0, 40)}.`);
  const { kid, at, reason } = o;
  if (typeof kid !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(kid)) listFail(`Revocation entry ${i} has no valid kid.`);
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) listFail(`Revocation entry ${i} has no valid time.`);
  if (typeof reason !== 'string' || reason.length > MAX_REASON) listFail(`Revocation entry ${i} has no valid reason.`);
  return { kid, at, reason };
}

/** Who signs a list. */
export interface RevocationSigner {
  readonly kid: string;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Signs a revocation list. Entries for the same kid are merged (the earliest time wins: revocation
 * only ever narrows what is accepted).
 */
export function signRevocationList(
  entries: readonly RevocationEntry[],
  signer: RevocationSigner,
  issuedAt: number = Math.floor(Date.now() / 1000),
): RevocationListDocument {
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new RangeError('issuedAt must be whole seconds');
  const byKid = new Map<string, RevocationEntry>();
  entries.forEach((raw, i) => {
    let e: RevocationEntry;
    try {
      e = checkEntry(raw, i);
    } catch (err) {
      throw new RangeError((err as Error).message);
    }
    const prev = byKid.get(e.kid);
    if (prev === undefined || e.at < prev.at) byKid.set(e.kid, e);
  });
  if (byKid.size > MAX_ENTRIES) throw new RangeError(`a revocation list holds at most ${MAX_ENTRIES} keys`);
  const revoked = [...byKid.values()].sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
  const unsigned = { typ: REVOCATION_LIST_TYPE as typeof REVOCATION_LIST_TYPE, v: 1 as const, issuedAt, revoked, signer: signer.kid };
  return { ...unsigned, sig: toBase64url(signer.sign(toBeSigned(unsigned))) };
}

/**
 * Parses a revocation list (object or JSON text) and verifies its signature with a trusted key.
 * `keys` resolves the signer's kid; a list signed by any other key is refused. Every failure is a
 * typed error; nothing in the list is used before its signature verified.
 */
export async function verifyRevocationList(
  input: unknown,
  keys: (kid: string) => TrustedKey | undefined | Promise<TrustedKey | undefined>,
): Promise<RevocationList> {
  let doc = input;
  if (typeof input === 'string') {
    if (input.length > 4_000_000) listFail('The revocation list is larger than 4 MB.');
    try {
      doc = JSON.parse(input);
    } catch {
      listFail('The revocation list is not valid JSON.');
    }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) listFail('A revocation list is a JSON object.');
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['typ', 'v', 'issuedAt', 'revoked', 'signer', 'sig'].includes(k))
      listFail(`The revocation list has an unknown member ${k.slice(0, 40)}.`);
  if (o.typ !== REVOCATION_LIST_TYPE) listFail(`The revocation list type must be ${REVOCATION_LIST_TYPE}.`);
  if (o.v !== 1) listFail('Only version 1 revocation lists are supported.');
  if (typeof o.issuedAt !== 'number' || !Number.isSafeInteger(o.issuedAt) || o.issuedAt < 0)
    listFail('The revocation list has no valid issuedAt.');
  if (!Array.isArray(o.revoked) || o.revoked.length > MAX_ENTRIES)
    listFail(`The revocation list must have a revoked array of at most ${MAX_ENTRIES} entries.`);
  if (typeof o.signer !== 'string' || typeof o.sig !== 'string') listFail('The revocation list has no signer or signature.');
  const revoked = (o.revoked as unknown[]).map(checkEntry);
  const key = await keys(o.signer);
  if (key === undefined) {
    throw new SignetError('SIGNET_E_KEY_UNKNOWN', 'The revocation list is signed by a key that is not trusted.', {
      hint: 'Verify it with the JWKS of the keys directory that signed it.',
    });
  }
  let sig: Uint8Array;
  try {
    sig = fromBase64url(o.sig);
  } catch {
    return listFail('The revocation list signature is not base64url.');
  }
  const message = toBeSigned({ typ: REVOCATION_LIST_TYPE, v: 1, issuedAt: o.issuedAt, revoked, signer: o.signer });
  if (!key.verify(sig, message))
    throw new SignetError(
      'SIGNET_E_SIG_INVALID',
      'The revocation list signature does not verify: it was altered or signed by another key.',
    );
  const entries = new Map<string, RevocationEntry>();
  for (const e of revoked) {
    const prev = entries.get(e.kid);
    if (prev === undefined || e.at < prev.at) entries.set(e.kid, e);
  }
  return { issuedAt: o.issuedAt, signer: o.signer, entries };
}

/**
 * Applies a verified list to an envelope of key `kid`. `committedAt` is the log's time from a
 * valid receipt (never the envelope's own claim). Returns the failure, or undefined when the key is
 * not revoked for this envelope.
 */
export function checkRevocation(
  list: RevocationList,
  kid: string,
  committedAt: number | undefined,
): { code: 'SIGNET_E_KEY_REVOKED'; message: string } | undefined {
  const e = list.entries.get(kid);
  if (e === undefined) return undefined;
  const when = new Date(e.at * 1000).toISOString();
  if (committedAt === undefined) {
    return {
      code: 'SIGNET_E_KEY_REVOKED',
      message: `The key was revoked (${e.reason.slice(0, 100) || 'no reason given'}) from ${when}, and no log receipt proves the envelope was committed before that.`,
    };
  }
  if (committedAt >= e.at) {
    return {
      code: 'SIGNET_E_KEY_REVOKED',
      message: `The key was revoked (${e.reason.slice(0, 100) || 'no reason given'}) from ${when}; the log committed the envelope at or after that.`,
    };
  }
  return undefined;
}

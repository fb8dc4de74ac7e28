import type { CryptoBackend } from '../backend/types.js';
import { toBase64url } from '../primitives/bytes.js';
import { decodeCbor } from '../format/cbor-decode.js';
import { encodeCbor } from '../format/cbor.js';
import { ALG_EDDSA, decodeCoseSign1, encodeCoseSign1, HEADER, sigStructure } from '../format/cose.js';
import { getDefaultBackend } from '../primitives/crypto.js';
import { kidToBytes } from '../format/envelope.js';
import { SignetError } from '../primitives/errors.js';
import { importPublicKey, jwkThumbprint, type KeyValidity, type TrustedKey } from './keys.js';

/**
 * Delegated signing keys.
 *
 * An offline root key certifies a short-lived node key with a small COSE_Sign1 (the delegation):
 * the issuer it may sign for, the node's Ed25519 public key, a validity window, and optionally the
 * models and terms it may seal. An envelope signed by the node key carries the delegation in its
 * unprotected header ({@link DELEGATION_HEADER}); a verifier trusts only the root. A stolen node key
 * is worth what its delegation allows: its window and its scope, nothing more.
 *
 * The delegation sits in the unprotected header because it authenticates itself (the root's
 * signature covers it) and is bound to the envelope through the node key: the envelope's kid must
 * be the thumbprint of the delegated key. Swapping in another delegation needs another root
 * signature for the same node key.
 */

/** `typ` of a delegation. */
export const DELEGATION_TYPE = 'application/signet-delegation+cose';

/** Unprotected header label (private use, below -65536) of an envelope's delegation. */
export const DELEGATION_HEADER = -65537;

/** Longest validity a delegation may have: node keys are meant to live hours to days. */
export const MAX_DELEGATION_SECONDS = 31 * 24 * 3600;

/** Largest delegation accepted for decoding. */
export const MAX_DELEGATION_BYTES = 4096;

/** What a delegation states. */
export interface DelegationClaims {
  /** The issuer the node key may sign for (must equal the envelope's issuer). */
  readonly issuer: string;
  /** The node's Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** Start of the window, seconds since the epoch. */
  readonly notBefore: number;
  /** End of the window, seconds since the epoch. */
  readonly notAfter: number;
  /** Models the node key may seal; absent means any. */
  readonly models?: readonly string[];
  /** Terms ids the node key may seal under; absent means any. */
  readonly terms?: readonly string[];
}

/** A decoded, not yet verified, delegation. */
export interface ParsedDelegation {
  readonly bytes: Uint8Array;
  /** The root key's kid. */
  readonly rootKid: string;
  /** The node key's kid (RFC 7638 thumbprint of `claims.publicKey`). */
  readonly kid: string;
  readonly claims: DelegationClaims;
  readonly signature: Uint8Array;
  readonly toBeSigned: Uint8Array;
}

/** A delegation whose root signature verified. */
export interface VerifiedDelegation extends ParsedDelegation {
  readonly root: TrustedKey;
  /** The node key, imported strictly (small-order keys are refused). Its own window is the delegation's. */
  readonly key: TrustedKey;
}

const D_ISSUER = 1;
const D_KEY = 2;
const D_NBF = 3;
const D_EXP = 4;
const D_MODELS = 5;
const D_TERMS = 6;
const MAX_LIST = 64;
const MAX_TEXT = 256;

function delegationFail(message: string, cause?: unknown): never {
  throw new SignetError('SIGNET_E_KEY_DELEGATION', message, { step: 'key', ...(cause === undefined ? {} : { cause }) });
}

function checkList(list: readonly string[] | undefined, what: string): void {
  if (list === undefined) return;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_LIST) throw new RangeError(`${what} must list 1 to ${MAX_LIST} names`);
  for (const m of list)
    if (typeof m !== 'string' || m.length === 0 || m.length > MAX_TEXT) throw new TypeError(`${what} entries must be non-empty strings`);
}

/** Who signs a delegation: the root key (in process, or any signer of raw Ed25519). */
export interface DelegationSigner {
  readonly kid: string;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Signs a delegation with the root key. Misuse (a window longer than {@link MAX_DELEGATION_SECONDS},
 * empty lists) throws RangeError/TypeError.
 */
export function signDelegation(root: DelegationSigner, claims: DelegationClaims): Uint8Array {
  if (typeof claims.issuer !== 'string' || claims.issuer.length === 0 || claims.issuer.length > 1024)
    throw new TypeError('issuer must be a non-empty string');
  if (!(claims.publicKey instanceof Uint8Array) || claims.publicKey.length !== 32)
    throw new RangeError('publicKey must be a 32-byte Ed25519 key');
  if (
    !Number.isSafeInteger(claims.notBefore) ||
    !Number.isSafeInteger(claims.notAfter) ||
    claims.notBefore < 0 ||
    claims.notAfter <= claims.notBefore
  ) {
    throw new RangeError('the delegation window must be whole seconds with notBefore < notAfter');
  }
  if (claims.notAfter - claims.notBefore > MAX_DELEGATION_SECONDS) throw new RangeError('a delegation may last at most 31 days');
  checkList(claims.models, 'models');
  checkList(claims.terms, 'terms');
  const protectedBytes = encodeCbor(
    new Map<number, unknown>([
      [HEADER.alg, ALG_EDDSA],
      [HEADER.kid, kidToBytes(root.kid)],
      [HEADER.typ, DELEGATION_TYPE],
    ]),
  );
  const payload = new Map<number, unknown>([
    [D_ISSUER, claims.issuer],
    [D_KEY, claims.publicKey],
    [D_NBF, claims.notBefore],
    [D_EXP, claims.notAfter],
  ]);
  if (claims.models !== undefined) payload.set(D_MODELS, [...claims.models]);
  if (claims.terms !== undefined) payload.set(D_TERMS, [...claims.terms]);
  const payloadBytes = encodeCbor(payload);
  const signature = root.sign(sigStructure(protectedBytes, payloadBytes));
  return encodeCoseSign1({ protectedBytes, unprotected: new Map(), payload: payloadBytes, signature });
}

function textList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_LIST)
    delegationFail(`The delegation's ${what} must list 1 to ${MAX_LIST} names.`);
  return v.map((m) => {
    if (typeof m !== 'string' || m.length === 0 || m.length > MAX_TEXT) delegationFail(`The delegation's ${what} must be names.`);
    return m;
  });
}

/** Decodes a delegation with bounded, strict decoding. Every failure is `SIGNET_E_KEY_DELEGATION`. */
export function parseDelegation(bytes: Uint8Array, backend: CryptoBackend = getDefaultBackend()): ParsedDelegation {
  if (!(bytes instanceof Uint8Array)) delegationFail('A delegation must be bytes.');
  if (bytes.length > MAX_DELEGATION_BYTES) delegationFail(`The delegation is larger than ${MAX_DELEGATION_BYTES} bytes.`);
  let header: unknown;
  let payload: unknown;
  let cose;
  try {
    cose = decodeCoseSign1(bytes, { maxBytes: MAX_DELEGATION_BYTES, maxDepth: 4, maxItems: 256 });
    header = decodeCbor(cose.protectedBytes, { maxBytes: MAX_DELEGATION_BYTES, maxDepth: 2, maxItems: 16 });
    payload = decodeCbor(cose.payload, { maxBytes: MAX_DELEGATION_BYTES, maxDepth: 3, maxItems: 256 });
  } catch (cause) {
    return delegationFail('The delegation is not a well-formed COSE_Sign1.', cause);
  }
  if (!(header instanceof Map) || !(payload instanceof Map)) return delegationFail('The delegation header and payload must be maps.');
  for (const k of header.keys())
    if (k !== HEADER.alg && k !== HEADER.kid && k !== HEADER.typ)
      delegationFail(`The delegation header has an unknown label ${String(k)}.`);
  if (header.get(HEADER.alg) !== ALG_EDDSA) delegationFail('The delegation must be signed with EdDSA.');
  if (header.get(HEADER.typ) !== DELEGATION_TYPE) delegationFail(`The delegation type must be ${DELEGATION_TYPE}.`);
  const rootKid = header.get(HEADER.kid);
  if (!(rootKid instanceof Uint8Array) || rootKid.length !== 32) return delegationFail('The delegation has no 32-byte root key id.');
  for (const k of payload.keys())
    if (typeof k !== 'number' || k < D_ISSUER || k > D_TERMS) delegationFail(`The delegation has an unknown field ${String(k)}.`);
  const issuer = payload.get(D_ISSUER);
  const publicKey = payload.get(D_KEY);
  const nbf = payload.get(D_NBF);
  const exp = payload.get(D_EXP);
  if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 1024) delegationFail('The delegation has no issuer.');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return delegationFail('The delegation has no 32-byte node key.');
  if (
    typeof nbf !== 'number' ||
    typeof exp !== 'number' ||
    !Number.isSafeInteger(nbf) ||
    !Number.isSafeInteger(exp) ||
    nbf < 0 ||
    exp <= nbf
  ) {
    return delegationFail('The delegation window is malformed.');
  }
  const models = payload.has(D_MODELS) ? textList(payload.get(D_MODELS), 'models') : undefined;
  const terms = payload.has(D_TERMS) ? textList(payload.get(D_TERMS), 'terms') : undefined;
  return {
    bytes,
    rootKid: toBase64url(rootKid),
    kid: jwkThumbprint(publicKey, backend),
    claims: {
      issuer,
      publicKey,
      notBefore: nbf,
      notAfter: exp,
      ...(models === undefined ? {} : { models }),
      ...(terms === undefined ? {} : { terms }),
    },
    signature: cose.signature,
    toBeSigned: sigStructure(cose.protectedBytes, cose.payload),
  };
}

/**
 * Parses a delegation and verifies the root's signature. `roots` resolves a root kid to a trusted
 * key (undefined: not a trusted root). The delegation's window must lie inside the root key's
 * validity window (its JWK `nbf`/`exp`). Fails closed with `SIGNET_E_KEY_DELEGATION`.
 */
export async function verifyDelegation(
  bytes: Uint8Array,
  roots: (kid: string) => TrustedKey | undefined | Promise<TrustedKey | undefined>,
  backend: CryptoBackend = getDefaultBackend(),
): Promise<VerifiedDelegation> {
  const parsed = parseDelegation(bytes, backend);
  const root = await roots(parsed.rootKid);
  if (root === undefined) delegationFail('The delegation is signed by a key that is not a trusted root.');
  if (!root.verify(parsed.signature, parsed.toBeSigned)) delegationFail('The delegation signature does not verify under its root key.');
  if (parsed.claims.notAfter - parsed.claims.notBefore > MAX_DELEGATION_SECONDS)
    delegationFail('The delegation lasts longer than 31 days.');
  const outside = windowOutsideRoot(parsed.claims, root.validity);
  if (outside !== undefined) delegationFail(outside);
  let key: TrustedKey;
  try {
    key = importPublicKey({ kty: 'OKP', crv: 'Ed25519', x: toBase64url(parsed.claims.publicKey) }, backend);
  } catch (cause) {
    return delegationFail('The delegated node key is not a usable Ed25519 key.', cause);
  }
  return { ...parsed, root, key };
}

/**
 * Why a delegation's window does not lie inside its root's validity window, or undefined when it
 * does. A root can only lend the authority it has: a root past its `exp` (or before its `nbf`)
 * certifies nothing for that time, so a delegation reaching beyond the root's window is refused as a
 * whole rather than clipped.
 */
export function windowOutsideRoot(d: Pick<DelegationClaims, 'notBefore' | 'notAfter'>, root: KeyValidity): string | undefined {
  if (root.notBefore !== undefined && d.notBefore < root.notBefore)
    return 'The delegation starts before its root key became valid (root nbf).';
  if (root.notAfter !== undefined && d.notAfter > root.notAfter) return 'The delegation ends after its root key expired (root exp).';
  return undefined;
}

/** What a delegated envelope is checked against. */
export interface DelegationUse {
  readonly issuer: string;
  readonly model: string;
  readonly termsId: string;
  /** The envelope's own issue time. */
  readonly issuedAt: number;
  /** The log's commitment time from a valid receipt, when there is one. */
  readonly committedAt?: number | undefined;
  /** Allowed delay between the end of the window and the log's commitment time (seconds). */
  readonly commitGraceSeconds?: number;
}

/**
 * Checks that an envelope falls within a delegation's issuer, window and scope. Returns the reason
 * it does not, or undefined. The window is checked against the envelope's time and, when a receipt
 * gives one, against the log's time too: a node key stolen after its window cannot backdate
 * envelopes past a verifier that asks for receipts.
 */
export function checkDelegationUse(d: DelegationClaims, use: DelegationUse): string | undefined {
  if (use.issuer !== d.issuer) return `The delegation allows issuer ${d.issuer}, not ${use.issuer.slice(0, 200)}.`;
  if (use.issuedAt < d.notBefore) return 'The envelope was issued before its delegation became valid.';
  if (use.issuedAt > d.notAfter) return 'The envelope was issued after its delegation expired.';
  if (use.committedAt !== undefined && use.committedAt > d.notAfter + (use.commitGraceSeconds ?? 3600)) {
    return 'The log committed the envelope after its delegation expired.';
  }
  if (d.models !== undefined && !d.models.includes(use.model)) return `The delegation does not allow model ${use.model.slice(0, 200)}.`;
  if (d.terms !== undefined && !d.terms.includes(use.termsId)) return `The delegation does not allow terms ${use.termsId.slice(0, 200)}.`;
  return undefined;
}

/** Reads the delegation an envelope carries in its unprotected header, if any. */
export function envelopeDelegation(unprotected: Map<unknown, unknown>): Uint8Array | undefined {
  const v = unprotected.get(DELEGATION_HEADER);
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) delegationFail('The envelope delegation header must be a byte string.');
  return v;
}

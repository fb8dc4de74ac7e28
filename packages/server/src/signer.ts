import {
  accountTag,
  assembleJws,
  jwsSigningInput,
  commitAccount,
  commitmentKey,
  commitmentSalt,
  checkDelegationUse,
  DELEGATION_HEADER,
  parseDelegation,
  type ParsedDelegation,
  HYBRID_HEADER,
  hybridHeaderValue,
  assembleEnvelope,
  digestContent,
  digestRequest,
  envelopeToText,
  extractResponseContent,
  getDefaultBackend,
  prepareEnvelope,
  SignetError,
  SigningKey,
  toBase64url,
  utf8,
  type BodyDigest,
  type ChoiceDigests,
  type CryptoBackend,
  type EnvelopeClaims,
  type TermsClaim,
} from '@signet/core';
import { termsClaim, type TermsConfig } from './terms.js';
import { keyDelegation, keyHybrid } from './keyfile.js';
import { createAccountIdSealer, parseAuditorKeys, type AccountIdSealer } from './sealed-id.js';

/**
 * Anything that can sign: an in-process {@link SigningKey}, or an external signer (KMS, HSM, a
 * signing process) that returns the Ed25519 signature of the bytes it is given.
 */
export interface ExternalSigner {
  readonly kid: string;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** The delegation a root signed for this key, carried in every envelope it signs. */
  readonly delegation?: Uint8Array;
}

/**
 * A source of the key to sign with right now (a key ring, a rotated keys directory). The signer asks
 * once per seal, so a rotation never splits one envelope between two keys.
 */
export interface KeySource {
  current(): SigningKey | ExternalSigner;
}

/** The second signer of a hybrid seal: ML-DSA-44 (a `PqSigningKey`, or an external one). */
export interface PqSigner {
  readonly kid: string;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Options of {@link createSigner}. Checked once, when the signer is created. */
export interface SignerOptions {
  /** The issuer named in every envelope, usually the provider's HTTPS origin. */
  readonly issuer: string;
  /** The signing key, an external signer, or a key source (key ring, rotated keys directory). */
  readonly key: SigningKey | ExternalSigner | KeySource;
  /** The provider's secret for account tags (at least 16 bytes). Keep it private and stable. */
  readonly accountSecret: Uint8Array;
  /** The license terms responses are served under. */
  readonly terms: TermsConfig | TermsClaim;
  /** Crypto backend for hashing (default: node:crypto on Node, noble elsewhere). */
  readonly backend?: CryptoBackend;
  /** Clock in milliseconds (default `Date.now`); injectable for tests. */
  readonly now?: () => number;
  /**
   * `linkable` (default): one 16-byte tag per account. `commitment`: a fresh 32-byte salted
   * commitment per response, unlinkable by anyone but the provider (see `openAccount`).
   */
  readonly accountMode?: 'linkable' | 'commitment';
  /** Designated auditors' X25519 public keys (a JWKS): every envelope then carries the account id encrypted to them. */
  readonly auditors?: unknown;
  /**
   * Opt-in hybrid seal: also sign with this ML-DSA-44 key (in the unprotected header; see docs/keys.md).
   * Keys loaded from a directory with pq-signing-key.jwk bring their own.
   */
  readonly hybrid?: PqSigner;
  /** Called after each seal, for example to append to a transparency log or a registry. Errors propagate. */
  readonly onSealed?: (sealed: Sealed, input: SealInput) => void | Promise<void>;
}

/** What to seal. */
export interface SealInput {
  /** The account id that requested the response (never written into the envelope in clear). */
  readonly account: string;
  /** The response: a parsed chat.completion, text_completion or response object, or plain text. */
  readonly response: unknown;
  /** The request body (its RFC 8785 canonical form is hashed; the prompt itself stays private). */
  readonly request?: unknown;
  /**
   * The request digest, computed up front (a gateway checks and digests the request before it
   * forwards anything, so sealing cannot fail on it later). Takes the place of hashing `request`.
   */
  readonly requestDigest?: Uint8Array;
  /** The model; defaults to the response's `model` field. */
  readonly model?: string;
  /** The response id; defaults to the response's `id`, else a fresh random id. */
  readonly responseId?: string;
  /** Terms for this response, when the account is on other terms than the signer's default. */
  readonly terms?: TermsClaim;
  /** Marks a response cut off before completion (see the streaming signer). */
  readonly partial?: boolean;
  /** Precomputed content digests (the streaming signer hashes as it goes). */
  readonly digests?: readonly ChoiceDigests[];
  /**
   * The digest of the exact bytes the client receives (see `body.ts` in `@signet/core`). The
   * sealing middleware and the gateway always give it, so a verifying client checks every byte.
   */
  readonly body?: BodyDigest;
}

/** A sealed response. */
export interface Sealed {
  /** COSE_Sign1 bytes. */
  readonly envelope: Uint8Array;
  /** The envelope as base64url text, as carried in headers and JSON. */
  readonly text: string;
  /** The signed claims. */
  readonly claims: EnvelopeClaims;
  /** Key id of the signing key. */
  readonly kid: string;
}

/** A signer: seals responses. */
export interface Signer {
  readonly issuer: string;
  readonly kid: string;
  readonly terms: TermsClaim;
  /** Seals a response into a COSE envelope. */
  seal(input: SealInput): Promise<Sealed>;
  /** Seals the same claims as a compact JWS (the JSON profile), built with core's JWS codec. */
  sealJws(input: SealInput): Promise<{ jws: string; claims: EnvelopeClaims }>;
  /** The claims a seal would carry, without signing. */
  claimsFor(input: SealInput): EnvelopeClaims;
  /** The account tag of an account id under this signer's secret. */
  accountTag(account: string): Uint8Array;
}

const TAG_CACHE_LIMIT = 10_000;

/** Creates a signer. Throws a typed configuration error at once if anything is missing or wrong. */
export function createSigner(options: SignerOptions): Signer {
  if (options === null || typeof options !== 'object') throw new TypeError('createSigner needs an options object');
  const backend = options.backend ?? getDefaultBackend();
  const { issuer, key } = options;
  if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 1024) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'issuer must be a non-empty string', {
      hint: 'Use your API origin, for example https://api.example.com.',
    });
  }
  const isSource = key !== null && typeof key === 'object' && typeof (key as KeySource).current === 'function';
  if (
    key === null ||
    typeof key !== 'object' ||
    (!isSource && (typeof (key as ExternalSigner).kid !== 'string' || typeof (key as ExternalSigner).sign !== 'function'))
  ) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'key must be a SigningKey or an external signer', {
      hint: 'Load one with loadSigningKey() or create one with `signet keys new`.',
    });
  }
  if (!(options.accountSecret instanceof Uint8Array) || options.accountSecret.length < 16) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'accountSecret must be at least 16 random bytes', {
      hint: '`signet keys new` writes one to DIR/account-secret.',
    });
  }
  const accountMode = options.accountMode ?? 'linkable';
  if (accountMode !== 'linkable' && accountMode !== 'commitment')
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'accountMode must be linkable or commitment');
  const configuredHybrid = options.hybrid;
  if (
    configuredHybrid !== undefined &&
    (configuredHybrid === null || typeof configuredHybrid.kid !== 'string' || typeof configuredHybrid.sign !== 'function')
  ) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'hybrid must be an ML-DSA-44 signer', {
      hint: 'Use generatePqSigningKey() or importPqSigningKey().',
    });
  }
  // The key to sign with now: fixed, or asked of the source once per seal.
  const activeKey = (): SigningKey | ExternalSigner => {
    let k: SigningKey | ExternalSigner;
    try {
      k = isSource ? (key as KeySource).current() : (key as SigningKey | ExternalSigner);
    } catch (cause) {
      throw new SignetError('SIGNET_E_SIG_FAILED', 'The key source has no usable signing key.', {
        cause,
        hint: 'Check the key ring or keys directory.',
      });
    }
    if (k === null || typeof k !== 'object' || typeof k.kid !== 'string' || typeof k.sign !== 'function') {
      throw new SignetError('SIGNET_E_SIG_FAILED', 'The key source has no usable signing key.', {
        hint: 'Check the key ring or keys directory.',
      });
    }
    return k;
  };
  const secret = Uint8Array.from(options.accountSecret);
  const commitKey = accountMode === 'commitment' ? commitmentKey(backend, secret) : undefined;
  // Auditor keys are parsed once, on first use (parsing is async; createSigner is not).
  let sealer: Promise<AccountIdSealer> | undefined;
  const auditors = options.auditors;
  const sealAccountId = async (account: string): Promise<string | undefined> => {
    if (auditors === undefined) return undefined;
    sealer ??= parseAuditorKeys(auditors).then(createAccountIdSealer);
    return (await sealer)(account);
  };
  const withSealedId = async (claims: EnvelopeClaims, input: SealInput): Promise<EnvelopeClaims> => {
    const sealedId = await sealAccountId(input.account);
    if (sealedId === undefined) return claims;
    // The envelope format caps text fields at 1024 characters: refuse rather than emit an envelope no verifier accepts.
    if (sealedId.length > 1024)
      throw new SignetError('SIGNET_E_INPUT_INVALID', 'The sealed account id is too long for the envelope.', {
        hint: 'Use fewer auditors or shorter account ids (up to 63 bytes fit with three auditors).',
      });
    return { ...claims, account: { ...claims.account, sealedId } };
  };
  const terms = termsClaim(options.terms, backend);
  const now = options.now ?? Date.now;
  // Tags are HMACs of stable ids: cache them, accounts repeat far more often than they change.
  const tags = new Map<string, Uint8Array>();
  const tagOf = (account: string): Uint8Array => {
    let tag = tags.get(account);
    if (tag === undefined) {
      tag = accountTag(backend, secret, account);
      if (tags.size >= TAG_CACHE_LIMIT) tags.clear();
      tags.set(account, tag);
    }
    return tag;
  };

  const claimsFor = (input: SealInput): EnvelopeClaims => {
    if (input === null || typeof input !== 'object') throw new TypeError('seal needs an input object');
    if (typeof input.account !== 'string' || input.account.length === 0) {
      throw new SignetError('SIGNET_E_INPUT_INVALID', 'account must be a non-empty string', {
        hint: 'Pass the id of the account that made the request.',
      });
    }
    let digests = input.digests;
    let responseId = input.responseId;
    let model = input.model;
    if (digests === undefined) {
      const content = extractResponseContent(input.response, { strict: false, inferShape: true });
      digests = content.choices.map((c) => digestContent(backend, c.text, c.structured));
      responseId ??= content.id;
      model ??= content.model;
    }
    if (model === undefined || model.length === 0) {
      throw new SignetError('SIGNET_E_INPUT_INVALID', 'the model is unknown', {
        hint: 'Pass model, or a response object with a model field.',
      });
    }
    const rid = responseId ?? `sgn_${toBase64url(backend.randomBytes(16))}`;
    const issuedAt = Math.floor(now() / 1000);
    return {
      issuer,
      responseId: rid,
      issuedAt,
      model,
      account:
        commitKey === undefined
          ? { mode: 'linkable', tag: tagOf(input.account) }
          : { mode: 'commitment', tag: commitAccount(backend, commitmentSalt(backend, commitKey, rid, issuedAt), input.account) },
      terms: input.terms ?? terms,
      ...(input.requestDigest !== undefined
        ? { requestDigest: input.requestDigest }
        : input.request === undefined
          ? {}
          : { requestDigest: digestRequest(backend, input.request) }),
      content: digests,
      ...(input.partial === true ? { partial: true } : {}),
      ...(input.body === undefined ? {} : { body: input.body }),
    };
  };

  const signFailed = (cause: unknown): SignetError =>
    new SignetError('SIGNET_E_SIG_FAILED', 'The signing key failed to sign.', {
      cause,
      hint: 'Check that the signing key or external signer is reachable.',
    });
  const checkedSignature = (signature: unknown): Uint8Array => {
    if (!(signature instanceof Uint8Array) || signature.length !== 64) {
      throw new SignetError('SIGNET_E_SIG_FAILED', 'The signer returned something that is not an Ed25519 signature.');
    }
    return signature;
  };
  // An in-process key signs synchronously: its signature is used at once, without a turn of the
  // microtask queue; an external signer's promise is awaited.
  const signBytes = (message: Uint8Array, k: SigningKey | ExternalSigner): Uint8Array | Promise<Uint8Array> => {
    let signature: Uint8Array | Promise<Uint8Array>;
    try {
      signature = k.sign(message);
    } catch (cause) {
      throw signFailed(cause);
    }
    if (signature instanceof Uint8Array) return checkedSignature(signature);
    return Promise.resolve(signature).then(checkedSignature, (cause: unknown) => {
      throw signFailed(cause);
    });
  };

  const signPq = async (message: Uint8Array, pq: PqSigner): Promise<Uint8Array> => {
    try {
      return await pq.sign(message);
    } catch (cause) {
      throw new SignetError('SIGNET_E_SIG_FAILED', 'The ML-DSA-44 key failed to sign.', { cause });
    }
  };

  // A node key outside its delegation's window or scope would only make envelopes every verifier
  // refuses: fail here, loudly, instead (parsed once per delegation).
  const parsedDelegations = new WeakMap<Uint8Array, ParsedDelegation>();
  const delegationOf = (k: SigningKey | ExternalSigner, claims: EnvelopeClaims): Uint8Array | undefined => {
    const delegation = k instanceof SigningKey ? keyDelegation(k) : k.delegation;
    if (delegation === undefined) return undefined;
    let d = parsedDelegations.get(delegation);
    if (d === undefined) {
      d = parseDelegation(delegation, backend);
      parsedDelegations.set(delegation, d);
    }
    if (d.kid !== k.kid) throw new SignetError('SIGNET_E_KEY_DELEGATION', 'The delegation is for another key than the signing key.');
    const reason = checkDelegationUse(d.claims, {
      issuer: claims.issuer,
      model: claims.model,
      termsId: claims.terms.id,
      issuedAt: claims.issuedAt,
    });
    if (reason !== undefined)
      throw new SignetError('SIGNET_E_KEY_DELEGATION', reason, { hint: 'Delegate a fresh node key with `signet keys delegate`.' });
    return delegation;
  };

  // Unprotected header entries: the key's delegation and the hybrid signature (both self-authenticating).
  const sign = async (
    k: SigningKey | ExternalSigner,
    toBeSigned: Uint8Array,
    delegation: Uint8Array | undefined,
  ): Promise<{ signature: Uint8Array; unprotected: Map<unknown, unknown> }> => {
    const unprotected = new Map<unknown, unknown>();
    if (delegation !== undefined) unprotected.set(DELEGATION_HEADER, delegation);
    const hybrid = options.hybrid ?? (k instanceof SigningKey ? keyHybrid(k) : undefined);
    // The plain path stays one await: the hybrid one signs both at once.
    if (hybrid === undefined) return { signature: await signBytes(toBeSigned, k), unprotected };
    const [signature, pq] = await Promise.all([signBytes(toBeSigned, k), signPq(toBeSigned, hybrid)]);
    unprotected.set(HYBRID_HEADER, hybridHeaderValue(hybrid.kid, pq));
    return { signature, unprotected };
  };

  return {
    issuer,
    get kid() {
      return activeKey().kid;
    },
    terms,
    claimsFor,
    accountTag: tagOf,
    async seal(input) {
      const k = activeKey();
      const claims = auditors === undefined ? claimsFor(input) : await withSealedId(claimsFor(input), input);
      const delegation = delegationOf(k, claims);
      const unsigned = prepareEnvelope(k.kid, claims);
      const { signature, unprotected } = await sign(k, unsigned.toBeSigned, delegation);
      const envelope = assembleEnvelope(unsigned, signature, unprotected);
      const sealed: Sealed = { envelope, text: envelopeToText(envelope), claims, kid: k.kid };
      if (options.onSealed !== undefined) await options.onSealed(sealed, input);
      return sealed;
    },
    async sealJws(input) {
      const k = activeKey();
      const claims = await withSealedId(claimsFor(input), input);
      // Core's one JWS codec builds the signing input the verifier parses back; an in-process key
      // and an external signer both sign that input, so both give the same standard compact JWS.
      const signingInput = jwsSigningInput(k.kid, claims);
      const signature = await signBytes(utf8(signingInput), k);
      return { jws: assembleJws(signingInput, signature), claims };
    },
  };
}

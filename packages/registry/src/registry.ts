import {
  accountTag,
  chunkText,
  equalBytes,
  extractResponseContent,
  getDefaultBackend,
  leafHash,
  normalizeText,
  rootFromLeafHashes,
  SignetError,
  utf8,
  type CryptoBackend,
  type EnvelopeClaims,
  type EvidenceBundle,
} from '@signet/core';
import { attributeSuspect, attributionOptions as checkedOptions, type AttributionMatch, type AttributionOptions } from './attribution.js';
import { calibrate, type Calibration } from './chance.js';
import { encodeLengths } from './chunks.js';
import { buildEvidence, type EvidenceOptions } from './evidence.js';
import { fingerprintSequence, fingerprintsToBytes } from './fingerprint.js';
import { openPgStore } from './pg-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { NewSealedRow, NewUnsealedRow, RegistryStore, SealedRow, UnsealedRow } from './store.js';
import type { Attribution } from './verdict.js';

/** What the signer hands to its `onSealed` hook (structurally `Sealed` of `@signet/server`). */
export interface SealedLike {
  readonly envelope: Uint8Array;
  readonly claims: EnvelopeClaims;
  readonly kid: string;
}

/** What was sealed (structurally `SealInput` of `@signet/server`). */
export interface SealInputLike {
  /** The clear account id. */
  readonly account: string;
  /** The response object or plain text that was sealed. */
  readonly response: unknown;
}

/** An answer that left a gateway unsealed (structurally `UnsealedRecord` of `@signet/server`). */
export interface UnsealedLike {
  readonly account: string;
  readonly route?: string;
  readonly status: number;
  readonly reason: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly responseId?: string;
  readonly streamed: boolean;
  readonly delivered: boolean;
}

/** Options of {@link openRegistry}. */
export interface RegistryOptions {
  /** The signer's account secret: the registry checks every recorded tag against it. */
  readonly accountSecret: Uint8Array;
  /**
   * Keep the sealed text (off by default, for privacy). Without it the registry holds digests,
   * chunk hashes and fingerprints only: attribution works the same, but excerpt proofs can only
   * cover chunks that a suspect contains verbatim.
   */
  readonly storeText?: boolean;
  /** PostgreSQL only: the schema to use (created if missing). */
  readonly schema?: string;
  /**
   * Refuse a registry that does not exist yet (`SIGNET_E_REGISTRY_MISSING`) instead of creating an
   * empty one. Readers (attribution, evidence) set it: an empty registry made by a typo would answer
   * "no match" for everything. Default false: a signer's registry is created on first use.
   */
  readonly mustExist?: boolean;
  /** PostgreSQL only: longest wait for a connection, ms (default 5,000). */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL only: longest a statement may run, ms (default 10,000). */
  readonly statementTimeoutMs?: number;
  readonly backend?: CryptoBackend;
}

/** The provider's registry of sealed responses. */
export interface Registry {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Records one sealed response. Its signature fits the signer's `onSealed` hook:
   * `createSigner({ ..., onSealed: registry.record })`.
   */
  record(sealed: SealedLike, input: SealInputLike): Promise<void>;
  /**
   * The rows {@link Registry.record} would insert (checked against the envelope), without writing:
   * what a durable spool keeps when the store is down.
   */
  prepare(sealed: SealedLike, input: SealInputLike): NewSealedRow[];
  /** The unsealed row {@link Registry.recordUnsealed} would insert, checked, without writing. */
  prepareUnsealed(record: UnsealedLike): NewUnsealedRow;
  /** Records many sealed responses in one transaction (bulk imports). */
  recordMany(items: readonly { sealed: SealedLike; input: SealInputLike }[]): Promise<void>;
  /** Stores where an envelope sits in the transparency log, once the log has a receipt for it. */
  setLog(responseId: string, log: { logIndex: number; receipt: Uint8Array | null; checkpoint: string | null }): Promise<void>;
  /** The sealed responses a suspect text is attributed to, strongest evidence first (see {@link Registry.assess}). */
  attribute(text: string, options?: AttributionOptions): Promise<AttributionMatch[]>;
  /**
   * What may be said about where a suspect text came from: the accounts it is attributed to, ranked
   * by evidence, or why none is named (ambiguous, too short to attribute, or no better than chance).
   */
  assess(text: string, options?: AttributionOptions): Promise<Attribution>;
  /** Builds the evidence bundle of one match. */
  evidence(match: AttributionMatch, suspect: string, options: EvidenceOptions): Promise<EvidenceBundle>;
  /** The sealed choices of a response id. */
  lookup(responseId: string): Promise<SealedRow[]>;
  /** Number of sealed choices recorded. */
  count(): Promise<number>;
  /**
   * Checks that keys belong to this registry: at least one of `kids` sealed a recorded response.
   * Run it before signing evidence with a provider's key: bundles signed with another provider's
   * key would fail every check. An empty registry passes (nothing to compare with).
   *
   * @throws SignetError `SIGNET_E_REGISTRY_FOREIGN_KEY`
   */
  checkKeys(kids: readonly string[]): Promise<void>;
  /**
   * Records an answer that left the gateway unsealed, with its account. Its signature fits the
   * gateway's `onUnsealed` hook.
   */
  recordUnsealed(record: UnsealedLike): Promise<void>;
  /** The unsealed answers on record, oldest first (at most `limit`, default 1000). */
  unsealed(limit?: number): Promise<UnsealedRow[]>;
  /** The underlying store, for tools that need it (benchmarks, migrations). */
  readonly store: RegistryStore;
  close(): Promise<void>;
}

const PG_URL = /^postgres(ql)?:\/\//i;

/**
 * Opens a registry: a file path (SQLite, created if missing) or a `postgres://` URL.
 *
 * ```ts
 * const registry = await openRegistry('registry.db', { accountSecret });
 * const signer = createSigner({ issuer, key, accountSecret, terms, onSealed: registry.record });
 * ```
 */
export async function openRegistry(pathOrUrl: string, options: RegistryOptions): Promise<Registry> {
  if (typeof pathOrUrl !== 'string' || pathOrUrl.length === 0) throw new TypeError('openRegistry needs a file path or a postgres:// URL');
  if (
    options === null ||
    typeof options !== 'object' ||
    !(options.accountSecret instanceof Uint8Array) ||
    options.accountSecret.length < 16
  ) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', "The registry needs the signer's account secret (at least 16 bytes).", {
      hint: '`signet keys new` writes it to DIR/account-secret.',
    });
  }
  const backend = options.backend ?? getDefaultBackend();
  const secret = Uint8Array.from(options.accountSecret);
  const storeText = options.storeText === true;
  const store = PG_URL.test(pathOrUrl)
    ? await openPgStore(pathOrUrl, {
        ...(options.schema === undefined ? {} : { schema: options.schema }),
        ...(options.mustExist === true ? { mustExist: true } : {}),
        ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
        ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
      })
    : openSqliteStore(pathOrUrl, { mustExist: options.mustExist === true });
  const tags = new Map<string, Uint8Array>();

  const rowsOf = (sealed: SealedLike, input: SealInputLike): NewSealedRow[] => {
    if (sealed === null || typeof sealed !== 'object' || !(sealed.envelope instanceof Uint8Array) || sealed.claims === undefined)
      throw new TypeError('record needs a sealed response');
    if (input === null || typeof input !== 'object' || typeof input.account !== 'string')
      throw new TypeError('record needs the seal input with its account');
    const claims = sealed.claims;
    let tag = tags.get(input.account);
    if (tag === undefined) {
      tag = accountTag(backend, secret, input.account);
      if (tags.size > 10_000) tags.clear();
      tags.set(input.account, tag);
    }
    // A registry fed with another secret than the signer's would attribute to the wrong accounts.
    if (claims.account.mode === 'linkable' && !equalBytes(tag, claims.account.tag)) {
      throw new SignetError(
        'SIGNET_E_CONFIG_INVALID',
        "The envelope's account tag is not the tag of this account under the registry's secret.",
        { hint: 'Open the registry with the same account secret as the signer.' },
      );
    }
    const content = extractResponseContent(input.response);
    if (content.choices.length !== claims.content.length)
      throw new SignetError('SIGNET_E_INPUT_INVALID', 'The response has another number of choices than the envelope seals.');
    return content.choices.map((choice, i): NewSealedRow => {
      const d = claims.content[i]!;
      const normalized = utf8(normalizeText(choice.text));
      const chunks = chunkText(normalized);
      const leaves = chunks.map((c) => leafHash(backend, c));
      if (!equalBytes(rootFromLeafHashes(backend, leaves), d.chunkRoot))
        throw new SignetError('SIGNET_E_INPUT_INVALID', `Choice ${i}'s text is not the text the envelope seals.`);
      const leafBytes = new Uint8Array(leaves.length * 32);
      leaves.forEach((l, k) => leafBytes.set(l, k * 32));
      return {
        responseId: claims.responseId,
        choice: i,
        issuer: claims.issuer,
        kid: sealed.kid,
        issuedAt: claims.issuedAt,
        model: claims.model,
        accountId: input.account,
        accountTag: claims.account.tag,
        termsId: claims.terms.id,
        termsVersion: claims.terms.version,
        termsDigest: claims.terms.digest,
        termsUri: claims.terms.uri,
        exact: d.exact,
        normalized: d.normalized,
        chunkCount: d.chunkCount,
        chunkLeaves: leafBytes,
        chunkLengths: encodeLengths(chunks.map((c) => c.length)),
        fingerprints: fingerprintsToBytes(fingerprintSequence(choice.text)),
        text: storeText ? choice.text : null,
        envelope: sealed.envelope,
        logIndex: null,
        receipt: null,
        checkpoint: null,
      };
    });
  };

  const unsealedRowOf = (record: UnsealedLike): NewUnsealedRow => {
    if (record === null || typeof record !== 'object' || typeof record.account !== 'string' || typeof record.reason !== 'string')
      throw new TypeError('recordUnsealed needs an unsealed record with its account and reason');
    if (!Number.isSafeInteger(record.status) || !Number.isFinite(record.time))
      throw new TypeError('recordUnsealed needs a status and a time');
    return {
      accountId: record.account,
      route: typeof record.route === 'string' ? record.route : null,
      status: record.status,
      reason: record.reason,
      at: Math.floor(record.time),
      responseId: typeof record.responseId === 'string' ? record.responseId : null,
      streamed: record.streamed === true,
      delivered: record.delivered === true,
    };
  };

  // The null sample is drawn once and again when the registry has grown or shrunk by a tenth (or
  // by any amount while it is small), so a batch of suspects pays for it once. Concurrent callers
  // share one drawing.
  let calibration: { maxPosting: number; size: number; value: Promise<Calibration> } | undefined;
  const calibrated = async (maxPosting: number): Promise<Calibration> => {
    const n = await store.count();
    const last = calibration?.size;
    if (
      calibration === undefined ||
      calibration.maxPosting !== maxPosting ||
      (n !== last && (n < 2000 || Math.abs(n - (last ?? 0)) > (last ?? 0) / 10))
    ) {
      const value = calibrate(store, { maxPosting });
      calibration = { maxPosting, size: n, value };
      // A failed drawing is not kept: the next call draws again.
      value.catch(() => {
        if (calibration?.value === value) calibration = undefined;
      });
    }
    return calibration.value;
  };

  const registry: Registry = {
    kind: store.kind,
    store,
    // Arrow functions: `record` is passed around detached, as a hook.
    record: async (sealed, input) => {
      await store.insert(rowsOf(sealed, input));
    },
    recordMany: async (items) => {
      await store.insert(items.flatMap(({ sealed, input }) => rowsOf(sealed, input)));
    },
    setLog: async (responseId, log) => {
      await store.setLog(responseId, log);
    },
    attribute: async (text, attributionOptions) => (await registry.assess(text, attributionOptions)).matches,
    assess: async (text, attributionOptions) => {
      if (typeof text !== 'string') throw new TypeError('attribute needs a text');
      const { maxPosting } = checkedOptions(attributionOptions);
      const calibration = attributionOptions?.calibration ?? (await calibrated(maxPosting));
      return attributeSuspect(store, backend, text, { ...attributionOptions, calibration });
    },
    evidence: (match, suspect, evidenceOptions) => buildEvidence(backend, match, suspect, evidenceOptions),
    lookup: (responseId) => store.byResponseId(responseId),
    count: () => store.count(),
    checkKeys: async (kids) => {
      const known = await store.kids();
      if (known.length === 0 || kids.some((k) => known.includes(k))) return;
      throw new SignetError(
        'SIGNET_E_REGISTRY_FOREIGN_KEY',
        'None of these keys sealed anything in this registry: they are not the keys of its provider.',
        {
          hint: 'Give the keys folder of the provider whose signer or gateway recorded into this registry.',
        },
      );
    },
    prepare: (sealed, input) => rowsOf(sealed, input),
    prepareUnsealed: (record) => unsealedRowOf(record),
    recordUnsealed: async (record) => {
      await store.insertUnsealed(unsealedRowOf(record));
    },
    unsealed: (limit) => {
      if (limit !== undefined && (!Number.isSafeInteger(limit) || limit <= 0))
        throw new RangeError('limit must be a positive whole number');
      return store.unsealed(limit);
    },
    close: () => store.close(),
  };
  return registry;
}

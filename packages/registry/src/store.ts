/**
 * The registry's storage interface. One row per sealed choice (a response with n choices is n
 * rows sharing the envelope). SQLite and PostgreSQL implement it with the same schema and the same
 * semantics; the test suite runs against both.
 */

/** One sealed choice as stored. Binary values are raw bytes. */
export interface SealedRow {
  /** Storage id (assigned on insert). */
  readonly id: number;
  readonly responseId: string;
  readonly choice: number;
  readonly issuer: string;
  readonly kid: string;
  /** Issue time, seconds since the epoch. */
  readonly issuedAt: number;
  readonly model: string;
  /** The clear account id (the registry is the provider's private index). */
  readonly accountId: string;
  readonly accountTag: Uint8Array;
  readonly termsId: string;
  readonly termsVersion: string;
  readonly termsDigest: Uint8Array;
  readonly termsUri: string;
  /** Content digests, as in the envelope. */
  readonly exact: Uint8Array;
  readonly normalized: Uint8Array;
  readonly chunkCount: number;
  /** The chunk leaf hashes, concatenated (32 bytes each): enough to prove chunks without keeping text. */
  readonly chunkLeaves: Uint8Array;
  /** The chunk lengths in bytes (uint16 little-endian each), to find chunks verbatim in a suspect. */
  readonly chunkLengths: Uint8Array;
  /** The distinct winnowing fingerprints in text order (int32 little-endian; rows of earlier releases hold them sorted). */
  readonly fingerprints: Uint8Array;
  /** The text, only when the registry was opened with `storeText`. */
  readonly text: string | null;
  /** The envelope (COSE_Sign1 bytes). */
  readonly envelope: Uint8Array;
  /** Transparency-log position, receipt and checkpoint, once known. */
  readonly logIndex: number | null;
  readonly receipt: Uint8Array | null;
  readonly checkpoint: string | null;
}

/** A row before it has an id. */
export type NewSealedRow = Omit<SealedRow, 'id'>;

/** One answer that left a gateway unsealed (see the gateway's `onUnsealed`). */
export interface UnsealedRow {
  readonly id: number;
  /** The clear account id. */
  readonly accountId: string;
  readonly route: string | null;
  /** The HTTP status the client received. */
  readonly status: number;
  /** A stable error code saying why. */
  readonly reason: string;
  /** When, milliseconds since the epoch. */
  readonly at: number;
  readonly responseId: string | null;
  readonly streamed: boolean;
  /** Whether model output reached the client unsealed (fail-open). */
  readonly delivered: boolean;
}

/** An unsealed row before it has an id. */
export type NewUnsealedRow = Omit<UnsealedRow, 'id'>;

/** The fingerprints a candidate shares with a query. */
export interface Posting {
  readonly id: number;
  /** The query fingerprints this row has. */
  readonly hashes: number[];
}

/** Storage for the registry. All methods may reject with `SIGNET_E_REGISTRY_STORAGE`. */
export interface RegistryStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Inserts rows (one transaction) and their fingerprint postings; returns the ids in order. */
  insert(rows: readonly NewSealedRow[]): Promise<number[]>;
  /** Rows whose exact digest is `digest`. */
  byExact(digest: Uint8Array): Promise<SealedRow[]>;
  /** Rows whose normalized digest is `digest`. */
  byNormalized(digest: Uint8Array): Promise<SealedRow[]>;
  /** Rows of a response id. */
  byResponseId(responseId: string): Promise<SealedRow[]>;
  /** Rows by id. */
  get(ids: readonly number[]): Promise<SealedRow[]>;
  /**
   * For each row having any of `hashes`, which of them it has. Hashes held by more than `maxPosting`
   * rows are boilerplate (a phrase every answer uses): they are dropped, since they identify nothing,
   * and added to `boilerplate` when given (so a caller can tell them from fingerprints no row has).
   */
  postings(hashes: readonly number[], maxPosting: number, boilerplate?: Set<number>): Promise<Posting[]>;
  /** The stored fingerprint sets of rows (for scoring candidates without loading whole rows). */
  fingerprintsOf(ids: readonly number[]): Promise<Map<number, Uint8Array>>;
  /** Records where an envelope sits in the transparency log. */
  setLog(responseId: string, log: { logIndex: number; receipt: Uint8Array | null; checkpoint: string | null }): Promise<number>;
  /** Number of rows. */
  count(): Promise<number>;
  /** The distinct key ids that sealed recorded responses. */
  kids(): Promise<string[]>;
  /**
   * Up to `limit` row ids spread over the whole registry in a fixed pseudo-random order (the same
   * ids for the same rows): the sample that calibrates attribution against chance.
   */
  sampleIds(limit: number): Promise<number[]>;
  /** Records an answer that left unsealed; returns its id. */
  insertUnsealed(row: NewUnsealedRow): Promise<number>;
  /** The unsealed answers on record, oldest first (at most `limit`, default 1000). */
  unsealed(limit?: number): Promise<UnsealedRow[]>;
  /** A write inside a transaction that is rolled back: rejects when the store cannot be written. */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The record of a model-route answer that left without a seal: an upstream error status passed on,
 * a fail-open answer, or a seal that failed mid-stream. The promise to a provider is that every
 * model answer is sealed or, when it cannot be, marked and recorded here with its account, never
 * dropped silently.
 */
export interface UnsealedRecord {
  /** The account the answer went to. */
  readonly account: string;
  /** The canonical route, for example `/v1/chat/completions` (absent when the adapter does not know it). */
  readonly route?: string;
  /** The HTTP status the client received. */
  readonly status: number;
  /** Why it is unsealed: a stable error code (`SIGNET_E_GATEWAY_UNSEALED_STATUS`, `SIGNET_E_GATEWAY_SEAL_FAILED` ...). */
  readonly reason: string;
  /** When, in milliseconds since the epoch. */
  readonly time: number;
  /** The response id, when the answer named one. */
  readonly responseId?: string;
  /** Whether the answer was a stream (whose head, and maybe content, had already left). */
  readonly streamed: boolean;
  /** Whether model output reached the client unsealed (fail-open), rather than an error or nothing. */
  readonly delivered: boolean;
}

/** Records unsealed answers (a log line, a registry row). Errors are reported, and a pending whole answer is withheld. */
export type UnsealedRecorder = (record: UnsealedRecord) => void | Promise<void>;

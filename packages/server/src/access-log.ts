import { pino, type DestinationStream } from 'pino';

/**
 * The gateway's access log: one JSON line per request (pino), with the process id (a pool has
 * several workers), the request id, method, route,
 * status, the account's tag (the pseudonymous tag its envelopes carry: neither the account id nor
 * the API key), whether the answer was sealed, and the duration. Nothing secret is ever passed in,
 * so nothing secret can come out.
 */

/** One access-log entry. */
export interface AccessEntry {
  readonly requestId: string;
  readonly method: string;
  /** The canonical route, or `other` for refused paths. */
  readonly route: string;
  readonly status: number;
  /** The tag (base64url) of the account the key belongs to, when the request was authenticated. */
  readonly accountTag?: string;
  /** `sealed`, `unsealed`, or absent for routes that carry no model answer. */
  readonly sealed?: 'sealed' | 'unsealed';
  readonly durationMs: number;
}

/** Writes access-log entries. */
export type AccessLog = (entry: AccessEntry) => void;

/** An access log writing JSON lines to `destination` (default: stdout, asynchronously). */
export function createAccessLog(destination?: DestinationStream): AccessLog {
  const logger = pino(
    { base: { pid: process.pid }, messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
  return (e) => logger.info(e, 'request');
}

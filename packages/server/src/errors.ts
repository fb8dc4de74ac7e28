import { defineErrorCodes } from '@signet/core';

/**
 * The error codes of the serving path: the signing gateway and its account authentication.
 * They share core's one `SignetError` class and code namespace; see `ERROR_CODES` in
 * `@signet/core` for the format and verification codes.
 */
export const SERVER_ERROR_CODES = defineErrorCodes({
  SIGNET_E_GATEWAY_UPSTREAM: 'The upstream server could not be reached or failed.',
  SIGNET_E_GATEWAY_SEAL_FAILED: 'The response could not be sealed.',
  SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT: 'The upstream did not connect, answer or send its next chunk in time.',
  SIGNET_E_GATEWAY_STREAM_TOO_LARGE:
    'The streamed answer grew past the largest size the gateway seals; it was cut off and sealed as partial.',
  SIGNET_E_GATEWAY_UNAVAILABLE: 'A dependency the gateway needs to seal (the transparency log, the registry) is unavailable; retry later.',
  SIGNET_E_GATEWAY_PATH_AMBIGUOUS:
    'The request path is spelled ambiguously (an encoded "/", ".", "%", a ";" parameter, a dot or empty segment).',
  SIGNET_E_GATEWAY_ROUTE_UNKNOWN: 'The gateway does not forward this method and path.',
  SIGNET_E_GATEWAY_QUERY_REFUSED: 'Model routes take no query string.',
  SIGNET_E_GATEWAY_REQUEST_INVALID: 'The model request body cannot be sealed: it is not one well-formed JSON object within the limits.',
  SIGNET_E_GATEWAY_UNSEALED_STATUS: 'The model route answered with a status that carries no model output; it was passed on unsealed.',
  SIGNET_E_GATEWAY_NOT_READY: 'The gateway is not ready: the accounts store, the log or the upstream is unreachable.',
  SIGNET_E_AUTH_UNKNOWN_KEY: 'The API key is unknown or revoked.',
  SIGNET_E_AUTH_TERMS_NOT_ACCEPTED: 'The account has not accepted the current terms.',
});

/** A code from {@link SERVER_ERROR_CODES}. */
export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

declare module '@signet/core' {
  // Lets `new SignetError(code)` take these codes wherever this package is loaded.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface SignetErrorCodeMap extends Record<ServerErrorCode, true> {}
}

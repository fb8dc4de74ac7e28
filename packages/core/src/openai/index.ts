/**
 * The OpenAI wire model: the response shapes, stream assembly, server-sent events, envelope
 * carriers (header, JSON member, final stream event), sealed-body checks and the binding of an
 * envelope's content claims to a response.
 *
 * Importable on its own as `@signet/core/openai`; every name here is also exported by `@signet/core`.
 *
 * @module
 */
export {
  CARRIER_FIELD,
  type CarrierField,
  ENVELOPE_HEADER,
  RESPONSES_CARRIER_TYPE,
  StreamAssembler,
  type StreamEventKind,
  type StreamKind,
  UNSEALED_HEADER,
} from './stream-assembly.js';
export { type ChoiceContent, type ExtractOptions, extractResponseContent, type ResponseContent } from './response.js';
export { MAX_SSE_EVENT_BYTES, type SseEvent, SseParser } from './sse.js';
export {
  canonicalCarrierField,
  carrierEvent,
  carrierMember,
  errorEvent,
  insertCarrierField,
  isCarrierData,
  SSE_DONE,
  sseEvent,
  type StreamIdentity,
} from './carrier.js';
export { bodyDigestsEqual, type JsonBody, jsonBodyDigest, splitJsonBody, SseBinding, type SseOutcome } from './body.js';
export {
  checkContentBinding,
  checkRequestBinding,
  type ContentBinding,
  type ContentInput,
  type ContentMatch,
  type ContentRules,
  termsDocumentMatches,
} from './content-binding.js';

import type { StreamKind } from '@signet/core';

/**
 * Which requests carry model output, by path: the three OpenAI-compatible generation endpoints.
 * Matching on the path suffix lets an API mounted under a prefix (`/openai/v1/...`) match too.
 */
export function modelRouteKind(method: string, pathname: string): StreamKind | undefined {
  if (method !== 'POST') return undefined;
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/completions')) return 'completion';
  if (path.endsWith('/responses')) return 'response';
  return undefined;
}

/** Parses a request body as JSON; undefined when it is not JSON (the seal then has no request digest). */
export function parseRequestBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

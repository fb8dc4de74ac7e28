import { toBase64url } from '@signet/core';

/** A value with its byte strings as base64url and its maps as objects, for display as JSON. */
export function displayable(value: unknown, depth = 0): unknown {
  if (depth > 12) return '…';
  if (value instanceof Uint8Array) return toBase64url(value);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), displayable(v, depth + 1)]));
  if (Array.isArray(value)) return value.map((v) => displayable(v, depth + 1));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, displayable(v, depth + 1)]));
  return value;
}

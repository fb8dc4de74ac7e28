// Small type guards shared by the parsers of untrusted JSON. Internal: not exported by the package.

/** True for a JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

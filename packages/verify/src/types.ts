/** Bytes, or their base64url text. */
export type Uint8ArrayLike = Uint8Array | string;

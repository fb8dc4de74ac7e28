import { generateSigningKey, jwkThumbprint, toBase64url, type Jwks, type PublicJwk, type SigningKey } from '@signet/core';
import type { ExternalSigner, KeySource } from './signer.js';

/**
 * A key ring: several keys published at once, one of them signing, with scheduled rotation.
 *
 * A key goes through four stages, all on the ring's clock:
 *
 * 1. published (from `publishAt`): in the JWKS, not yet signing. Verifiers that cached the JWKS
 *    earlier learn it before the first envelope it signs, provided the lead is at least the
 *    JWKS max-age. (Verifiers refresh on an unknown kid anyway; the lead makes that the exception.)
 * 2. active (from `activateAt`): the newest active key signs.
 * 3. retired (from the next key's `activateAt`): no longer signs; still published, with a JWK `exp`
 *    of its retirement time plus a grace for seals in flight, so its envelopes keep verifying.
 * 4. dropped (`retainSeconds` after `exp`): removed from the live JWKS. Archive the JWKS if
 *    envelopes must verify for longer (evidence usually must: keep every JWKS you published).
 */

/** A key in the ring. */
export interface KeyRingEntry {
  readonly key: SigningKey | ExternalSigner;
  /** When the key appears in the JWKS (ms since the epoch). */
  readonly publishAt: number;
  /** When it starts signing (ms). */
  readonly activateAt: number;
  /** When it stopped signing (ms), once a newer key took over. */
  readonly retiredAt?: number;
}

/** Options of {@link createKeyRing}. */
export interface KeyRingOptions {
  /** Initial keys, active at once (the last one signs). */
  readonly keys?: readonly (SigningKey | ExternalSigner)[];
  /** Default lead between publishing a rotated key and signing with it (ms, default 10 minutes). */
  readonly leadMs?: number;
  /** Grace added to a retired key's `exp` for seals in flight and clock skew (s, default 300). */
  readonly graceSeconds?: number;
  /** How long a retired key stays in the live JWKS after its `exp` (s, default 400 days). */
  readonly retainSeconds?: number;
  /** Makes the keys of {@link KeyRing.rotate} (default: fresh in-process Ed25519 keys). */
  readonly generate?: () => SigningKey | ExternalSigner | Promise<SigningKey | ExternalSigner>;
  /** Clock in ms (default `Date.now`). */
  readonly now?: () => number;
}

/** A key ring. Pass it as `key` to `createSigner`: each seal uses the key active at that moment. */
export interface KeyRing extends KeySource {
  /** Adds a key: published now, signing from `activateAt` (default: now). */
  add(key: SigningKey | ExternalSigner, options?: { activateAt?: number }): void;
  /** Generates (or asks `generate` for) the next key and schedules it `leadMs` from now. */
  rotate(options?: { leadMs?: number }): Promise<SigningKey | ExternalSigner>;
  /** Rotates every `everyMs` (timer does not keep the process alive). Returns a function that stops it. */
  schedule(everyMs: number, options?: { leadMs?: number; onError?: (e: unknown) => void }): () => void;
  /** The public keys to publish now, with their validity windows. */
  jwks(): Jwks;
  /** Increases whenever the published JWKS changes (for ETags and caches). */
  version(): number;
  /** Every key with its schedule. */
  entries(): readonly KeyRingEntry[];
}

function publicJwkOf(key: SigningKey | ExternalSigner): PublicJwk {
  if ('toPublicJwk' in key && typeof key.toPublicJwk === 'function') return key.toPublicJwk() as PublicJwk;
  return { kty: 'OKP', crv: 'Ed25519', x: toBase64url(key.publicKey), kid: jwkThumbprint(key.publicKey), alg: 'EdDSA', use: 'sig' };
}

/** Creates a key ring. */
export function createKeyRing(options: KeyRingOptions = {}): KeyRing {
  const now = options.now ?? Date.now;
  const defaultLead = options.leadMs ?? 10 * 60_000;
  const grace = options.graceSeconds ?? 300;
  const retain = options.retainSeconds ?? 400 * 86_400;
  const generate = options.generate ?? (() => generateSigningKey());
  if (!(defaultLead >= 0) || !(grace >= 0) || !(retain >= 0))
    throw new RangeError('leadMs, graceSeconds and retainSeconds must be non-negative');
  interface Mutable {
    key: SigningKey | ExternalSigner;
    publishAt: number;
    activateAt: number;
    retiredAt?: number;
    /** False for keys added as already active: they may have signed before (a restart), so no nbf is invented. */
    fresh: boolean;
  }
  const ring: Mutable[] = [];
  let version = 0;
  let cachedVersion = -1;
  let cachedJwks: Jwks = { keys: [] };

  // Retirement is derived: a key retires when a newer key activates. Recomputed on every change.
  const settle = (): void => {
    const sorted = [...ring].sort((a, b) => a.activateAt - b.activateAt);
    for (let i = 0; i < sorted.length; i++) {
      const next = sorted[i + 1];
      const e = sorted[i] as Mutable;
      if (next === undefined) delete e.retiredAt;
      else e.retiredAt = next.activateAt;
    }
    ring.splice(0, ring.length, ...sorted);
    version++;
  };

  const add = (key: SigningKey | ExternalSigner, opts: { activateAt?: number } = {}): void => {
    if (
      key === null ||
      typeof key !== 'object' ||
      typeof key.kid !== 'string' ||
      typeof key.sign !== 'function' ||
      !(key.publicKey instanceof Uint8Array)
    ) {
      throw new TypeError('a key ring holds SigningKeys or external signers');
    }
    if (ring.some((e) => e.key.kid === key.kid)) throw new RangeError('this key is already in the ring');
    const t = now();
    const activateAt = opts.activateAt ?? t;
    ring.push({ key, publishAt: t, activateAt, fresh: activateAt > t });
    settle();
  };

  for (const k of options.keys ?? []) add(k);

  const current = (): SigningKey | ExternalSigner => {
    const t = now();
    let active: Mutable | undefined;
    for (const e of ring) if (e.activateAt <= t) active = e;
    if (active === undefined) throw new RangeError('the key ring has no active key yet');
    return active.key;
  };

  const prune = (): void => {
    const cutoff = now() - (retain + grace) * 1000;
    const before = ring.length;
    for (let i = ring.length - 1; i >= 0; i--) {
      const e = ring[i] as Mutable;
      if (e.retiredAt !== undefined && e.retiredAt < cutoff) ring.splice(i, 1);
    }
    if (ring.length !== before) version++;
  };

  const jwks = (): Jwks => {
    prune();
    if (cachedVersion === version) return cachedJwks;
    const keys = ring.map((e) => {
      const jwk = publicJwkOf(e.key);
      // A key's own window is kept and only ever narrowed: a new key is not valid before it was
      // published, a retired one not after its retirement plus the grace.
      const nbf = e.fresh ? Math.max(jwk.nbf ?? 0, Math.floor(e.publishAt / 1000)) : jwk.nbf;
      const retiredExp = e.retiredAt === undefined ? undefined : Math.ceil(e.retiredAt / 1000) + grace;
      const exp = retiredExp === undefined ? jwk.exp : Math.min(jwk.exp ?? Number.MAX_SAFE_INTEGER, retiredExp);
      const { nbf: _nbf, exp: _exp, ...rest } = jwk;
      return { ...rest, ...(nbf === undefined ? {} : { nbf }), ...(exp === undefined ? {} : { exp }) };
    });
    cachedJwks = { keys };
    cachedVersion = version;
    return cachedJwks;
  };

  const rotate = async (opts: { leadMs?: number } = {}): Promise<SigningKey | ExternalSigner> => {
    const key = await generate();
    add(key, { activateAt: now() + (opts.leadMs ?? defaultLead) });
    return key;
  };

  return {
    current,
    add,
    rotate,
    schedule(everyMs, opts = {}) {
      if (!(everyMs >= 1000)) throw new RangeError('rotate at most once a second');
      const timer = setInterval(() => {
        rotate(opts.leadMs === undefined ? {} : { leadMs: opts.leadMs }).catch((e: unknown) => opts.onError?.(e));
      }, everyMs);
      (timer as { unref?: () => void }).unref?.();
      return () => clearInterval(timer);
    },
    jwks,
    version: () => {
      prune();
      return version;
    },
    entries: () =>
      ring.map((e) => ({
        key: e.key,
        publishAt: e.publishAt,
        activateAt: e.activateAt,
        ...(e.retiredAt === undefined ? {} : { retiredAt: e.retiredAt }),
      })),
  };
}

import { SignetError } from '@signet/core';
import { readTextFile, TextFileError } from '@signet/core/node-fs';
import { createRemoteTrustStore } from '../remote-jwks.js';
import { assembleTrust, TrustInputError, type TrustExtensions } from '../trust-assembly.js';

/**
 * A relying party's trust, read from files and URLs (Node only: `@signet/verify/node`). The
 * browser entry takes the same inputs as text, through {@link assembleTrust}.
 */

/**
 * Why trust could not be read. `unreachable`: the trust URL did not answer, so nothing was
 * checked. `unusable`: a file or URL was read but its content cannot be used, or it could not be
 * read at all. The message names the input and says why.
 */
export class TrustFileError extends Error {
  override readonly name = 'TrustFileError';
  constructor(
    message: string,
    readonly reason: 'unusable' | 'unreachable',
  ) {
    super(message);
  }
}

function readFile(path: string, what: string, maxBytes: number): string {
  try {
    return readTextFile(path, what, maxBytes);
  } catch (e) {
    throw e instanceof TextFileError ? new TrustFileError(e.message, 'unusable') : e;
  }
}

/**
 * The issuer's JWKS text: a file, or what the provider publishes at an http(s) URL (fetched once,
 * with a 10 s timeout).
 */
export async function readTrustJwks(source: string): Promise<string> {
  if (!/^https?:\/\//i.test(source)) return readFile(source, 'trust JWKS', 1_000_000);
  let store;
  try {
    store = createRemoteTrustStore({ url: source, timeoutMs: 10_000 });
  } catch (e) {
    if (e instanceof SignetError) throw new TrustFileError(`--trust ${source}: ${e.message}`, 'unusable');
    throw e;
  }
  if (!(await store.refresh()))
    throw new TrustFileError(`the trust store ${source} did not answer (${store.stats().lastError ?? 'no answer'})`, 'unreachable');
  return JSON.stringify(store.snapshot());
}

/** The files of {@link readTrustFiles}: paths, except the log key, which is its text. */
export interface TrustFiles {
  /** The log's verifier key (text, already checked). */
  readonly logKey?: string;
  /** A JWKS file of ML-DSA-44 keys: a hybrid signature becomes required. */
  readonly hybridKeys?: string;
  /** A JWKS file of root keys that certify delegated node keys. */
  readonly roots?: string;
  /** A signed revocation list file. */
  readonly revocations?: string;
}

/** Reads the trust files and assembles the verifier extensions they ask for ({@link assembleTrust}). */
export async function readTrustFiles(trust: string, files: TrustFiles): Promise<TrustExtensions> {
  const read = (path: string, what: string): string => readFile(path, what, 4_000_000);
  const inputs = {
    trust,
    ...(files.logKey === undefined ? {} : { logKey: files.logKey }),
    ...(files.hybridKeys === undefined ? {} : { hybridKeys: read(files.hybridKeys, 'hybrid keys JWKS') }),
    ...(files.roots === undefined ? {} : { roots: read(files.roots, 'roots JWKS') }),
    ...(files.revocations === undefined ? {} : { revocations: read(files.revocations, 'revocation list') }),
  };
  try {
    return await assembleTrust(inputs);
  } catch (e) {
    if (!(e instanceof TrustInputError)) throw e;
    const why = `${e.cause.code}: ${e.cause.message}`;
    if (e.input === 'hybridKeys') throw new TrustFileError(`the hybrid keys JWKS ${files.hybridKeys} is not usable: ${why}`, 'unusable');
    const what =
      files.revocations !== undefined && files.roots === undefined
        ? `the revocation list ${files.revocations}`
        : 'the revocation list or roots';
    throw new TrustFileError(`${what} is not usable: ${why}`, 'unusable');
  }
}

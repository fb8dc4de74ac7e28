import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, signDelegation, toJwks, windowOutsideRoot } from '@signet/core';
import { KEY_FILES, loadSigningKey } from '@signet/server';
import { flag, optional, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { defineCommand } from '../help.js';
import { writePrivate, writePublicFile } from '../io.js';
import { listArg, parseDurationArg, parseTimeArg } from '../time-args.js';

/** `signet keys delegate`: a short-lived node key certified by an offline root key. */
export const keysDelegate: Command = defineCommand({
  name: ['keys', 'delegate'],
  summary: 'create a short-lived node signing key certified by a root key',
  flags: {
    root: { value: 'FILE|DIR', required: true, help: 'the root key file or keys directory' },
    out: { value: 'DIR', required: true, help: 'the node key directory to create' },
    issuer: { value: 'ISS', required: true, help: 'the issuer the node signs as' },
    'valid-for': { value: 'DURATION', required: true, help: 'like 12h or 7d (at most 31d)' },
    'not-before': { value: 'TIME', default: 'now', help: 'start of the window (ISO time or epoch seconds)' },
    models: { value: 'NAME,...', repeatable: true, help: 'the models the node may seal' },
    terms: { value: 'ID,...', repeatable: true, help: 'the terms the node may seal under' },
    force: { help: 'replace an existing node key in DIR' },
    json: { help: 'print the result as JSON' },
  },
  text: `Creates a node key directory DIR: signing-key.jwk (mode 0600), delegation.cose (the root's signed
delegation: issuer, node key, validity window, allowed models and terms) and jwks.json (the ROOT's
public key: what verifiers trust). Envelopes signed with \`signet sign --key DIR\` carry the
delegation; verifiers given the root (\`signet verify --roots JWKS\`) accept them within the window
and scope only. When --root is a keys directory, its account-secret is copied (mode 0600) so
account tags stay the same on every node.`,
  async run(args, io) {
    const rootPath = required(args, 'root');
    const out = required(args, 'out');
    const validFor = parseDurationArg(required(args, 'valid-for'), 'valid-for');
    if (validFor > 31 * 86_400) throw new UsageError('--valid-for is at most 31d: node keys are short-lived');
    const nbfText = optional(args, 'not-before');
    const notBefore = nbfText === undefined ? Math.floor(Date.now() / 1000) : parseTimeArg(nbfText, 'not-before');
    const models = listArg(args.flags.models as string[] | undefined);
    const terms = listArg(args.flags.terms as string[] | undefined);
    const root = loadSigningKey(rootPath);
    // A delegation reaching outside the root's own window would be refused by every verifier: say so now.
    const outside = windowOutsideRoot({ notBefore, notAfter: notBefore + validFor }, root.validity);
    if (outside !== undefined) throw new UsageError(`${outside} Shorten --valid-for or move --not-before.`);
    const node = generateSigningKey({ notBefore, notAfter: notBefore + validFor });
    const delegation = signDelegation(root, {
      issuer: required(args, 'issuer'),
      publicKey: node.publicKey,
      notBefore,
      notAfter: notBefore + validFor,
      ...(models === undefined ? {} : { models }),
      ...(terms === undefined ? {} : { terms }),
    });
    const rootSecret = join(rootPath, KEY_FILES.accountSecret);
    writePrivate(
      [
        { path: join(out, KEY_FILES.signingKey), data: `${JSON.stringify(node.toPrivateJwk(), null, 2)}\n` },
        ...(existsSync(rootSecret) ? [{ path: join(out, KEY_FILES.accountSecret), data: readFileSync(rootSecret) }] : []),
      ],
      flag(args, 'force'),
      io,
    );
    writePublicFile(join(out, KEY_FILES.delegation), delegation);
    writePublicFile(join(out, KEY_FILES.jwks), `${JSON.stringify(toJwks([root]), null, 2)}\n`);
    const summary = {
      kid: node.kid,
      root: root.kid,
      notBefore,
      notAfter: notBefore + validFor,
      delegationBytes: delegation.length,
      ...(models === undefined ? {} : { models }),
      ...(terms === undefined ? {} : { terms }),
    };
    if (flag(args, 'json')) io.stdout(`${JSON.stringify(summary)}\n`);
    else
      io.stdout(
        `delegated node key ${node.kid}\n  by root ${root.kid}\n  valid ${new Date(notBefore * 1000).toISOString()} to ${new Date((notBefore + validFor) * 1000).toISOString()}${models ? `\n  models: ${models.join(', ')}` : ''}${terms ? `\n  terms: ${terms.join(', ')}` : ''}\n  wrote ${out}/{signing-key.jwk, delegation.cose (${delegation.length} bytes), jwks.json (the root)}\n`,
      );
    return 0;
  },
});

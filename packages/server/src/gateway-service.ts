import { SignetError } from '@signet/core';
import { createAccessLog } from './access-log.js';
import { createGateway, type GatewayOptions } from './gateway.js';
import { openGatewayFiles, type GatewayFiles, type GatewayFilesOptions } from './gateway-files.js';
import type { GatewayHooks } from './gateway-hooks.js';
import type { RunningServer, ServeOptions } from './serve.js';
import { isPoolWorker, poolMetrics, startWorkerPool, workerDone, workerReady } from './worker-pool.js';

/**
 * The gateway as a service (Node-only): built from its files, listening, reloadable on SIGHUP, and
 * run as one process or a pool of workers. `signet gateway` maps its flags onto these options.
 */

/** Options of {@link startGatewayService}. */
export interface GatewayServiceOptions
  extends
    Omit<GatewayFilesOptions, 'onKeyReloadError' | 'onAccountsReloadError'>,
    Pick<
      GatewayOptions,
      | 'upstream'
      | 'failOpen'
      | 'passthrough'
      | 'cors'
      | 'upstreamApiKey'
      | 'maxRequestBytes'
      | 'maxBodyBytes'
      | 'readinessIntervalMs'
      | 'readinessTimeoutMs'
      | 'upstreamTimeouts'
      | 'maxStreamBytes'
    > {
  /** Extensions (a log, a registry, a shared accounts store): their hooks. */
  readonly hooks?: readonly GatewayHooks[];
  /** More hooks that need the opened files (the verifier page preloads the published keys). */
  readonly withFiles?: (files: GatewayFiles) => readonly GatewayHooks[];
  /** Write a JSON access-log line per request to stdout. */
  readonly accessLog?: boolean;
  /** Where and how to listen (port, host, connection limits). */
  readonly listen: ServeOptions;
  /** Told one line per event (a failure, an unsealed answer): never key material. */
  readonly say: (line: string) => void;
}

/** A running gateway service. */
export interface GatewayService {
  readonly server: RunningServer;
  /** Reads the terms file and signing key again and serves with them. Throws if they are bad. */
  reload(): { kid: string; terms: string };
  /** Stops it gracefully (open streams finish), then closes the extensions. */
  close(): Promise<void>;
}

/** Builds the gateway from its files and starts listening. */
export async function startGatewayService(o: GatewayServiceOptions): Promise<GatewayService> {
  const { hooks = [], withFiles, accessLog, listen, say, ...rest } = o;
  const filesOptions: GatewayFilesOptions = {
    ...rest,
    onKeyReloadError: () => say('the rotated key could not be loaded; still signing with the previous one'),
    onAccountsReloadError: (e) => say(`${e.code}: ${e.message} (keeping the previous accounts)`),
  };
  const files = openGatewayFiles(filesOptions);
  // A worker of a pool serves the metrics of all workers (known once the gateway exists).
  let poolSource: (() => Promise<string>) | undefined;
  const gateway = createGateway({
    ...rest,
    ...files,
    ...(accessLog === true ? { accessLog: createAccessLog() } : {}),
    readinessChecks: { keys: async () => ({ ok: files.signer.kid.length > 0 }) },
    ...(isPoolWorker() ? { metricsSource: () => (poolSource as () => Promise<string>)() } : {}),
    hooks: [
      ...hooks,
      ...(withFiles?.(files) ?? []),
      // Every unsealed answer leaves a line at least; extensions (the registry) keep a row too.
      {
        onUnsealed: (r) =>
          say(
            `unsealed answer: ${r.reason} status ${r.status} account ${JSON.stringify(r.account)} route ${r.route ?? '-'}${
              r.responseId === undefined ? '' : ` response ${JSON.stringify(r.responseId)}`
            }${r.delivered ? ' (delivered)' : ''}`,
          ),
      },
    ],
    // One line per failure, with its code; never key material (errors carry none).
    onError: (e) => say(`${e.code}: ${e.message}`),
  });
  if (isPoolWorker()) poolSource = poolMetrics(gateway.metrics.registry);
  let server: RunningServer;
  try {
    server = await gateway.listen(listen);
  } catch (cause) {
    await gateway.close();
    throw new SignetError(
      'SIGNET_E_CONFIG_INVALID',
      `cannot listen on ${listen.host ?? '127.0.0.1'}:${listen.port ?? 0}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
      { cause },
    );
  }
  return {
    server,
    reload() {
      // Terms and keys read again; the accounts store and the extensions stay as they are.
      const fresh = openGatewayFiles({ ...filesOptions, accounts: files.accounts });
      gateway.setSigner(fresh.signer);
      return { kid: fresh.signer.kid, terms: `${fresh.signer.terms.id} ${fresh.signer.terms.version}` };
    },
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

/** Options of {@link runGatewayProcess}. */
export interface GatewayProcessOptions {
  /** Worker processes (1: this process serves). */
  readonly workers: number;
  /** Starts one gateway (in this process, or in each worker). */
  readonly start: () => Promise<GatewayService>;
  /** Checks the configuration in the primary before forking, so a mistake is one error, not N. */
  readonly check?: () => void;
  /** The "listening" line (after `listening on URL`). */
  readonly describe: string;
  readonly say: (line: string) => void;
}

function untilStopped(stop: () => Promise<void>, onHup: () => void): Promise<void> {
  process.on('SIGHUP', onHup);
  return new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      process.off('SIGHUP', onHup);
      stop().then(resolve, resolve);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/**
 * Runs the gateway until SIGINT or SIGTERM (open streams finish first); SIGHUP reloads terms and
 * keys. With more than one worker this process is the primary of a pool (see `startWorkerPool`).
 */
export async function runGatewayProcess(o: GatewayProcessOptions): Promise<void> {
  if (o.workers > 1 && !isPoolWorker()) {
    o.check?.();
    let pool;
    try {
      pool = await startWorkerPool({ workers: o.workers, onEvent: o.say });
    } catch (e) {
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `the gateway workers could not start: ${(e as Error).message}`, {
        hint: 'The workers printed the cause above.',
      });
    }
    o.say(`listening on ${pool.url}, ${o.workers} workers, ${o.describe}`);
    const p = pool;
    await untilStopped(
      () => {
        o.say('shutting down the workers, letting open streams finish');
        return p.stop();
      },
      () => p.reload(),
    );
    return;
  }
  let service: GatewayService;
  try {
    service = await o.start();
  } catch (e) {
    // A worker that cannot start must exit (the channel to the primary would keep it alive), so
    // the primary sees the failure instead of waiting for it.
    workerDone();
    throw e;
  }
  if (isPoolWorker()) workerReady(service.server.url);
  else o.say(`listening on ${service.server.url}, ${o.describe}`);
  await untilStopped(
    async () => {
      if (!isPoolWorker()) o.say('shutting down, letting open streams finish');
      await service.close().finally(workerDone);
    },
    () => {
      try {
        const r = service.reload();
        o.say(`reloaded: key ${r.kid}, terms ${r.terms}`);
      } catch (e) {
        o.say(`reload failed, keeping the previous terms and keys: ${e instanceof SignetError ? `${e.code}: ${e.message}` : 'error'}`);
      }
    },
  );
}

/**
 * @signet/server: seal model responses in the serving path.
 *
 * @packageDocumentation
 */
export * from './signer.js';
export * from './terms.js';
export * from './terms-file.js';
export * from './keyfile.js';
export * from './private-file.js';
export * from './carriers.js';
export * from './streaming-signer.js';
export * from './sse-sealer.js';
export * from './response-sealer.js';
export * from './routes.js';
export * from './canonical-path.js';
export * from './route-allowlist.js';
export * from './model-request.js';
export * from './unsealed.js';
export * from './fetch-middleware.js';
export * from './hono.js';
export * from './node-http.js';
export * from './serve.js';
export * from './accounts.js';
export * from './account-lookup.js';
export * from './unverified-envelope.js';
export * from './gateway.js';
export * from './gateway-hooks.js';
export * from './gateway-files.js';
export * from './keyring.js';
export * from './rotation.js';
export * from './keys-directory.js';
export * from './published-jwks.js';
export * from './revocation-file.js';
export * from './jwks-handler.js';
export * from './external-signer.js';
export { startSignerWorker, type SignerWorkerOptions } from './signer-worker.js';
export * from './sealed-id.js';
export * from './upstream-client.js';
export { SERVER_ERROR_CODES, type ServerErrorCode } from './errors.js';
export { refuseAmbiguousTarget } from './gateway-parts.js';
export { createGatewayMetrics, type GatewayMetrics, type AnswerOutcome } from './gateway-metrics.js';
export { createAccessLog, type AccessEntry, type AccessLog } from './access-log.js';
export { createCors, EXPOSED_HEADERS, type Cors } from './cors.js';
export { createReadiness, type Readiness, type ReadinessCheck, type ReadinessReport } from './readiness.js';
export {
  isPoolWorker,
  poolMetrics,
  poolWorkerSlot,
  startWorkerPool,
  workerDone,
  workerReady,
  type WorkerPool,
  type WorkerPoolOptions,
  type WorkerSlot,
} from './worker-pool.js';
export {
  runGatewayProcess,
  startGatewayService,
  type GatewayProcessOptions,
  type GatewayService,
  type GatewayServiceOptions,
} from './gateway-service.js';
export { applySettings, envName, settingsTable, type SettingDoc, type SettingKind, type SettingValues } from './settings-file.js';
export {
  checkGatewaySettings,
  GATEWAY_SETTINGS,
  gatewayIssuer,
  gatewayServiceOptions,
  gatewayWorkers,
  intSetting,
  type Env,
} from './gateway-settings.js';

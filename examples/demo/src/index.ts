/**
 * The Signet demo: the whole story end to end (sealing and verifying, the gateway with the openai
 * client, the transparency log, the auditor), told over the public APIs and the signet command
 * line. `signet demo` runs it; so does `pnpm demo`.
 *
 * @packageDocumentation
 */
export { runDemo, DEMO_PART_NAMES, type DemoHost, type DemoOptions } from './run.js';
export type { CliResult, DemoContext, DemoGateway, DemoPart } from './context.js';
export { DEMO_PARTS } from './parts.js';
export { auditorDemo } from './auditor.js';
export { foundationDemo } from './foundation.js';
export { gatewayDemo } from './gateway.js';
export { logDemo } from './log.js';
export { startDemoUpstream, type DemoUpstream, type DemoUpstreamOptions } from './upstream.js';

import { auditorDemo } from './auditor.js';
import type { DemoPart } from './context.js';
import { foundationDemo } from './foundation.js';
import { gatewayDemo } from './gateway.js';
import { logDemo } from './log.js';

/** The parts of `signet demo`, in story order. Each builds on the keys and terms of the first. */
export const DEMO_PARTS: { name: string; title: string; run: DemoPart }[] = [
  { name: 'foundation', title: 'Sealing and verifying', run: foundationDemo },
  { name: 'gateway', title: 'Sealing in the serving path: the gateway and the openai client', run: gatewayDemo },
  { name: 'log', title: 'The transparency log', run: logDemo },
  { name: 'auditor', title: 'The auditor: a leaked dataset traced back to its account', run: auditorDemo },
];

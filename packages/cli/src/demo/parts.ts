import type { DemoPart } from './context.js';
import { foundationDemo } from './foundation.js';

/** The parts of `signet demo`, in story order. */
export const DEMO_PARTS: { name: string; title: string; run: DemoPart }[] = [
  { name: 'foundation', title: 'Sealing and verifying', run: foundationDemo },
];

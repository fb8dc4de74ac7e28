import type { Command } from '../command.js';
import { attribute } from './attribute.js';
import { audit } from './audit.js';
import { demo } from './demo.js';
import { evidenceVerify } from './evidence.js';
import { inspect } from './inspect.js';
import { keysNew } from './keys-new.js';
import { sign } from './sign.js';
import { verify } from './verify.js';

/**
 * Every command. Each lives in its own file under commands/ and is listed here once.
 */
export const COMMANDS: Command[] = [keysNew, sign, verify, inspect, demo, audit, attribute, evidenceVerify];

import type { Command } from '../command.js';
import { keysRotate } from './keys-rotate.js';
import { keysDelegate } from './keys-delegate.js';
import { keysRevoke } from './keys-revoke.js';
import { keysJwks } from './keys-jwks.js';
import { keysAuditor } from './keys-auditor.js';
import { accountOpen } from './account-open.js';
import { keysPq } from './keys-pq.js';
import { accountsAccept, accountsAdd, accountsImport, accountsList, accountsRevoke } from './accounts.js';
import { createGatewayCommand } from './gateway.js';
import { logGatewayExtension } from './log-gateway.js';
import { registryGatewayExtension } from './registry-gateway.js';
import { attribute } from './attribute.js';
import { audit } from './audit.js';
import { createDemoCommand } from './demo.js';
import { createMain } from '../runner.js';
import { evidenceVerify } from './evidence.js';
import { inspect } from './inspect.js';
import { keysNew } from './keys-new.js';
import { sign } from './sign.js';
import { verify } from './verify.js';
import { verifyPage } from './verify-page.js';
import { logInit } from './log-init.js';
import { logKey } from './log-key.js';
import { logServe } from './log-serve.js';
import { logVerify } from './log-verify.js';
import { logMonitor } from './log-monitor.js';

/**
 * Every command. Each lives in its own file under commands/ and is listed here once.
 */
// The demo drives the CLI itself: it holds a runner over this very list (read when it runs).
const cli = createMain(() => COMMANDS);

export const COMMANDS: Command[] = [
  keysNew,
  sign,
  verify,
  inspect,
  createDemoCommand(cli),
  audit,
  attribute,
  evidenceVerify,
  verifyPage,
  createGatewayCommand([logGatewayExtension, registryGatewayExtension]),
  accountsAdd,
  accountsList,
  accountsRevoke,
  accountsAccept,
  accountsImport,
  keysRotate,
  keysDelegate,
  keysRevoke,
  keysJwks,
  keysAuditor,
  keysPq,
  { ...accountOpen, name: ['accounts', 'open'], usage: accountOpen.usage.replace(/signet account open/g, 'signet accounts open') },
  // The spelling of earlier releases keeps working.
  { ...accountOpen, hidden: true },
  logInit,
  logKey,
  logServe,
  logVerify,
  logMonitor,
];

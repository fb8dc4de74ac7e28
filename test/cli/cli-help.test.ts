import { describe, expect, it } from 'vitest';
import { COMMANDS, GATEWAY_FLAGS, logGatewayExtension, main, registryGatewayExtension, type CommandIO } from 'signet';

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: CommandIO = { stdout: (t) => (stdout += t), stderr: () => undefined, stdin: async () => new Uint8Array(), env: {} };
  return { code: await main(argv, io), stdout };
}

describe('help generated from the flag specs', () => {
  it('signet --help lists every command', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const c of COMMANDS.filter((x) => x.hidden !== true)) expect(stdout).toContain(`signet ${c.name.join(' ')} `);
  });

  it('every command answers --help with its usage, exit 0', async () => {
    for (const c of COMMANDS) {
      const { code, stdout } = await run([...c.name, '--help']);
      expect(code).toBe(0);
      expect(stdout.startsWith(`Usage: signet ${c.name.join(' ')}`)).toBe(true);
    }
  });

  it('signet gateway --help names and describes every flag, its extensions included', async () => {
    const { stdout } = await run(['gateway', '--help']);
    const flags = { ...GATEWAY_FLAGS, ...logGatewayExtension.flags, ...registryGatewayExtension.flags };
    for (const [name, doc] of Object.entries(flags)) {
      expect(stdout).toContain(`--${name}`);
      if (typeof doc !== 'string' && doc.help !== undefined) expect(stdout.replace(/\s+/g, ' ')).toContain(doc.help.replace(/\s+/g, ' '));
    }
    expect(stdout).toMatch(/--passthrough "METHOD PATH" .*\(repeatable\)/s);
    expect(stdout).toContain('listen port (default 8787)');
  });
});

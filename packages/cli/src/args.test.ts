import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpec } from './args.js';

const spec: FlagSpec = { trust: 'string', json: 'boolean', issuer: 'list' };
const parse = (argv: string[]) => {
  try {
    return parseArgs(argv, spec);
  } catch (e) {
    return (e as Error).message;
  }
};

describe('parseArgs', () => {
  it('reads values, booleans, lists and positionals', () => {
    expect(parse(['a', '--trust', 'k.json', '--json', '--issuer=x', '--issuer', 'y', 'b'])).toEqual({
      flags: { trust: 'k.json', json: true, issuer: ['x', 'y'] },
      positionals: ['a', 'b'],
    });
  });
  it('keeps a lone dash, single-dash words and everything after -- as positionals', () => {
    expect(parse(['-', '-x', '-ab', '--', '--json'])).toEqual({ flags: {}, positionals: ['-', '-x', '-ab', '--json'] });
  });
  // Regression: `--out --json` took "--json" as the folder name.
  it('never takes the next flag as a value; a value that starts with -- is written --flag=value', () => {
    expect(parse(['--trust', '--json'])).toBe('--trust needs a value (a value that starts with "--" is written --trust=VALUE)');
    expect(parse(['--trust=--json'])).toEqual({ flags: { trust: '--json' }, positionals: [] });
    expect(parse(['--trust', '-'])).toEqual({ flags: { trust: '-' }, positionals: [] });
  });
  it('refuses what it does not know, missing values, values on booleans and repeats', () => {
    expect(parse(['--nope'])).toBe('unknown option --nope');
    expect(parse(['--=a'])).toBe('unknown option --');
    expect(parse(['--trust'])).toBe('--trust needs a value');
    expect(parse(['--json=1'])).toBe('--json takes no value');
    expect(parse(['--trust', 'a', '--trust=b'])).toBe('--trust given twice');
  });
});

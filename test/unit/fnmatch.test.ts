// fnmatch as Python's fnmatch.fnmatchcase sees it (the answers below are Python 3's).
import { describe, expect, it } from 'vitest';
import { fnmatchRegExp } from '../../src/fnmatch.js';

const cases: [string, string, boolean][] = [
  ['web*', 'web01', true],
  ['web*', 'db01', false],
  ['db?', 'db1', true],
  ['db?', 'db12', false],
  ['node[0-9]', 'node7', true],
  ['node[!0-9]', 'node7', false],
  ['node[!0-9]', 'nodex', true],
  ['[]]x', ']x', true],
  ['[!]]x', 'ax', true],
  ['[^a]', '^', true],
  ['[^a]', 'b', false],
  ['a[b', 'a[b', true],
  ['a.b', 'aXb', false],
  ['ansible_*', 'ansible_eth0', true],
  ['x*', 'x\ny', true],
  ['Web*', 'web1', false],
];

describe('fnmatchRegExp', () => {
  it.each(cases)('%s against %s: %s', (glob, name, want) => {
    expect(fnmatchRegExp(glob).test(name)).toBe(want);
  });
});

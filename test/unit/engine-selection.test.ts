import { describe, expect, it } from 'vitest';
import { groupSteps } from '../../src/engine/apply-plan.js';
import { sequence } from '../../src/engine/loops.js';
import { serialBatches, tagSelected } from '../../src/engine/run.js';

describe('tag selection (Ansible evaluate_tags)', () => {
  const cases: [string[], string[], string[], boolean][] = [
    // task tags, --tags, --skip-tags, runs
    [[], [], [], true],
    [['a'], [], [], true],
    [['never'], [], [], false],
    [['never', 'debug'], ['debug'], [], true],
    [['never'], ['never'], [], true],
    [['always'], ['other'], [], true],
    [['always'], [], ['always'], false],
    [['always'], [], ['all'], true], // 'always' survives --skip-tags all unless always is skipped by name
    [['always'], [], ['all', 'always'], false],
    [['a'], ['b'], [], false],
    [['a', 'b'], ['b'], [], true],
    [[], ['untagged'], [], true],
    [['a'], ['untagged'], [], false],
    [['a'], ['tagged'], [], true],
    [[], ['tagged'], [], false],
    [['a'], [], ['a'], false],
    [['a'], [], ['tagged'], false],
    [[], [], ['tagged'], true],
    [[], [], ['untagged'], false],
    [['a'], ['all'], ['a'], false],
  ];
  it.each(cases)('tags %j with --tags %j --skip-tags %j → %s', (tags, only, skip, expected) => {
    expect(tagSelected(tags, only, skip)).toBe(expected);
  });
});

describe('serial batches', () => {
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'];
  it.each([
    [undefined, [7]],
    [3, [3, 3, 1]],
    ['3', [3, 3, 1]],
    ['50%', [3, 3, 1]],
    [[1, 2], [1, 2, 2, 2]],
    [['10%', '100%'], [1, 6]],
  ])('serial %j gives batch sizes %j', (serial, sizes) => {
    const batches = serialBatches(hosts, serial);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(hosts);
  });
  it('rejects a serial that is not a number', () => {
    expect(() => serialBatches(hosts, 'lots')).toThrow(/serial/);
  });
});

describe('with_sequence', () => {
  it.each([
    ['start=1 end=3', ['1', '2', '3']],
    ['count=3', ['1', '2', '3']],
    ['start=0 end=10 stride=5', ['0', '5', '10']],
    ['start=1 end=2 format=node%02d', ['node01', 'node02']],
    ['4-6', ['4', '5', '6']],
    ['start=10 end=0x', []],
  ])('%s', (spec, expected) => {
    if (expected.length === 0) expect(() => sequence(spec)).toThrow();
    else expect(sequence(spec)).toEqual(expected);
  });
});

describe('plan steps are joined into few round trips', () => {
  it('joins consecutive execs without stdin and keeps puts and stdin execs apart', () => {
    const put = { kind: 'put' as const, path: '/x', content: Buffer.from('x') };
    const grouped = groupSteps([
      { kind: 'exec', cmd: 'a' },
      { kind: 'exec', cmd: 'b' },
      put,
      { kind: 'exec', cmd: 'c', stdin: 'data' },
      { kind: 'exec', cmd: 'd' },
    ]);
    expect(grouped.map((s) => s.kind)).toEqual(['exec', 'put', 'exec', 'exec']);
    expect(grouped[0]).toEqual({ kind: 'exec', cmd: '(a\n) && (b\n)' });
  });
});

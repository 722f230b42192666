// set_stats: the module's checks, and how totals add up (AggregateStats.update_custom_stats).
import { describe, expect, it } from 'vitest';
import { recordCustomStats, setStatsModule, type CustomStats } from '../../src/modules/set-stats.js';
import { customStatsLines } from '../../src/output/recap.js';
import type { RunContext } from '../../src/modules/types.js';

const run = (args: Record<string, unknown>) => setStatsModule.run!(args, {} as RunContext);

describe('set_stats', () => {
  it('returns ansible_stats with Ansible\'s defaults and its words for bad data', async () => {
    expect(await run({ data: { a: 1 } })).toEqual({ changed: false, ansible_stats: { data: { a: 1 }, per_host: false, aggregate: true } });
    expect(await run({ data: { a: 1 }, per_host: 'yes', aggregate: 'x' })).toMatchObject({ ansible_stats: { per_host: true, aggregate: false } });
    await expect(run({ data: [1] })).rejects.toThrow("The 'data' option needs to be a dictionary/hash");
    await expect(run({ data: { '.bad': 1 } })).rejects.toThrow("The variable name '.bad' is not valid.");
    await expect(run({ data: { None: 1 } })).rejects.toThrow("The variable name 'None' is not valid.");
  });

  const cases: [string, unknown[], unknown][] = [
    ['numbers add', [1, 2, 3], 6],
    ['text joins', ['a', 'b'], 'ab'],
    ['lists join', [[1], [2, 3]], [1, 2, 3]],
    ['dicts merge recursively', [{ a: { b: 1 } }, { a: { c: 2 } }], { a: { b: 1, c: 2 } }],
    ['another type is ignored', [1, 'x', [2], 2], 3],
    ['a bool adds to an int', [10, true], 11],
    ['an int does not add to a bool', [true, 1], true],
  ];
  for (const [name, values, total] of cases) {
    it(name, () => {
      const custom: CustomStats = {};
      for (const v of values) recordCustomStats(custom, 'h1', { data: { k: v }, per_host: true, aggregate: true });
      expect(custom).toEqual({ h1: { k: total } });
    });
  }

  it('without aggregate the last value stands; without per_host it is the run\'s', () => {
    const custom: CustomStats = {};
    recordCustomStats(custom, 'h1', { data: { k: 1 }, per_host: false, aggregate: false });
    recordCustomStats(custom, 'h2', { data: { k: 5 }, per_host: false, aggregate: false });
    recordCustomStats(custom, 'h2', { data: {}, per_host: true, aggregate: true });
    expect(custom).toEqual({ _run: { k: 5 } });
    expect(customStatsLines(custom)).toEqual(['', '\tRUN: { "k": 5}', '']);
    expect(customStatsLines({})).toBeUndefined();
  });
});

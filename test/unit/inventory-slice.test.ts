// --slice K/N: a stable split of the selected hosts by name (src/inventory/slice.ts).
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../src/errors.js';
import { inSlice, parseSlice, sliceOf } from '../../src/inventory/slice.js';

const hosts = (n: number, prefix = 'node') => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}.rack.example`);

describe('parseSlice', () => {
  it.each([
    ['1/4', { index: 1, count: 4 }],
    ['4/4', { index: 4, count: 4 }],
    [' 2 / 3 ', { index: 2, count: 3 }],
    ['1/1', { index: 1, count: 1 }],
  ])('reads %j', (text, want) => {
    expect(parseSlice(text)).toEqual(want);
  });

  it.each(['0/4', '5/4', '1/0', '1', '1/4/2', 'a/b', '-1/4', '1.5/4', ''])('refuses %j with the expected form and a hint', (text) => {
    let err: unknown;
    try {
      parseSlice(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).code).toBe('BAD_SLICE');
    expect((err as LoadError).message).toBe(`--slice expects K/N with 1 <= K <= N, got '${text}'`);
    expect((err as LoadError).hint).toMatch(/JOB_COMPLETION_INDEX \+ 1/);
  });
});

describe('slices of hosts', () => {
  const all = hosts(1000);

  it('puts every host in exactly one slice, whatever the order of the list', () => {
    const slices = [1, 2, 3, 4].map((index) => inSlice(all, { index, count: 4 }));
    expect(slices.flat().sort()).toEqual([...all].sort());
    const reversed = [1, 2, 3, 4].map((index) => inSlice([...all].reverse(), { index, count: 4 }));
    reversed.forEach((s, i) => expect([...s].reverse()).toEqual(slices[i]));
  });

  it('keeps each slice in the order of the list', () => {
    const s = inSlice(all, { index: 2, count: 4 });
    expect(s).toEqual(all.filter((h) => s.includes(h)));
  });

  it('moves no host when hosts are added', () => {
    const before = new Map(all.map((h) => [h, sliceOf(h, 4)]));
    const grown = [...hosts(300, 'extra'), ...all];
    for (const h of all) expect(sliceOf(h, 4)).toBe(before.get(h));
    expect(grown.filter((h) => sliceOf(h, 4) === 1).filter((h) => h.startsWith('node'))).toEqual(inSlice(all, { index: 1, count: 4 }));
  });

  it('spreads hosts about evenly: each of 4 slices of 1000 hosts within 15 % of 250', () => {
    for (let k = 1; k <= 4; k++) {
      const n = inSlice(all, { index: k, count: 4 }).length;
      expect(n).toBeGreaterThan(212);
      expect(n).toBeLessThan(288);
    }
  });

  it('slice 1/1 and no slice are every host', () => {
    expect(inSlice(all, { index: 1, count: 1 })).toEqual(all);
    expect(inSlice(all, undefined)).toEqual(all);
  });
});

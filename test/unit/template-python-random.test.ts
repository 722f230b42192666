// python-random.ts against CPython 3.11's random.Random: the expected values below were
// printed by `python3 -c 'import random; r = random.Random(SEED); ...'` for each seed.
import { describe, expect, it } from 'vitest';
import { pyChoice, pyRandom, pyRandrange, pyShuffle } from '../../src/template/python-random.js';

const CASES: [string | number, number, number, string, string, number[]][] = [
  ['host1', 31, 441, 'c', ',:,d-1ff1:_0d-B:23_.', [4, 0, 7, 8, 1, 5, 2, 3, 6, 9]],
  ['web01.example.com', 38, 378, 'c', '3C,013CCB011A0-:C:e:', [1, 0, 2, 7, 9, 8, 4, 3, 6, 5]],
  [42, 40, 196, 'a', ',eddC,B.,_2B30AABdd2', [2, 1, 8, 7, 4, 6, 5, 3, 0, 9]],
  [0, 54, 686, 'g', 'Ae210_:-e1f3__d2CeC:', [3, 8, 9, 6, 5, 0, 7, 2, 4, 1]],
  ['', 29, 364, 'g', '-,:d-f:3A3.ff-A10ed-', [7, 6, 9, 1, 0, 5, 3, 4, 8, 2]],
  ['ü', 11, 238, 'e', 'C1,:Bd3Ae.133,:2C3e.', [7, 0, 1, 2, 9, 5, 6, 3, 8, 4]],
];

describe("Python's random.Random", () => {
  it.each(CASES)('seed %j: randrange, choice and shuffle as CPython', (seed, minute, stepped, letter, password, shuffled) => {
    const r = pyRandom(seed);
    expect(pyRandrange(r, 0, 60, 1)).toBe(minute);
    expect(pyRandrange(r, 0, 1000, 7)).toBe(stepped);
    expect(pyChoice(r, [...'abcdefghij'])).toBe(letter);
    expect(Array.from({ length: 20 }, () => pyChoice(r, [...'ABCdef0123.,:-_'])).join('')).toBe(password);
    expect(pyShuffle(r, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toEqual(shuffled);
  });

  it('raises Python\'s errors for empty ranges', () => {
    expect(() => pyRandrange(pyRandom(1), 5, 5, 1)).toThrow('empty range for randrange() (5, 5, 0)');
    expect(() => pyRandrange(pyRandom(1), 0, 10, 0)).toThrow('zero step for randrange()');
  });

  it('without a seed, draws from the whole range', () => {
    const r = pyRandom(undefined);
    const seen = new Set(Array.from({ length: 400 }, () => r.below(4)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });
});

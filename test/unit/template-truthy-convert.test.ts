// The truthy/falsy tests with convert_bool: Ansible's boolean() decides only for its
// boolean words; for anything else it raises and the test falls back to Python's bool().
import { describe, expect, it } from 'vitest';
import { TESTS } from '../../src/template/tests.js';

describe('truthy(convert_bool=True)', () => {
  it.each([
    ['on', true],
    ['off', false],
    ['no', false],
    ['1', true],
    ['0', false],
    ['fred', true],
    ['', false],
    [0, false],
    [2, true],
  ])('%j is truthy: %s', (value, expected) => {
    expect(TESTS.truthy(value, true)).toBe(expected);
    expect(TESTS.falsy(value, true)).toBe(!expected);
  });

  it('without convert_bool, a non-empty string is true whatever it says', () => {
    expect(TESTS.truthy('off')).toBe(true);
  });
});

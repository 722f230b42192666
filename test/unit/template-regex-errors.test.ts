// Python's re.error words for patterns JS RegExp rejects, as playbooks assert on them
// (lookup('varnames', '*') says "nothing to repeat"). Expected texts are Python 3.11's.
import { describe, expect, test } from 'vitest';
import { Templar } from '../../src/template/index.js';
import { pythonRegexErrorText } from '../../src/template/regex-errors.js';

describe('pythonRegexErrorText', () => {
  test.each([
    ['*', 'nothing to repeat at position 0'],
    ['a**', 'multiple repeat at position 2'],
    ['a*??', 'multiple repeat at position 3'],
    ['(a', 'missing ), unterminated subpattern at position 0'],
    ['ab(c|d', 'missing ), unterminated subpattern at position 2'],
    ['a)', 'unbalanced parenthesis at position 1'],
    ['[a', 'unterminated character set at position 0'],
    ['|*', 'nothing to repeat at position 1'],
    ['^*', 'nothing to repeat at position 1'],
    ['a{2}{3}', 'multiple repeat at position 4'],
    ['(?i)*', 'nothing to repeat at position 4'],
  ])('%s: %s', (pattern, text) => {
    expect(pythonRegexErrorText(pattern)).toBe(text);
  });

  test.each(['a??', 'a*?', 'a*+', '(?P<x>a)*', '(?:a)+', '\\d+', 'x{,}', '[]a]*'])('%s compiles in Python: no error', (pattern) => {
    expect(pythonRegexErrorText(pattern)).toBeUndefined();
  });
});

describe('varnames lookup', () => {
  const t = new Templar({ searchPaths: () => [] });
  test('a bad pattern fails with Ansible\'s words and Python\'s reason', () => {
    expect(() => t.render("{{ lookup('varnames', '*') }}", { a: 1 })).toThrow('Unable to use "*" as a search parameter: nothing to repeat at position 0');
  });
  test('names matching any term, in order', () => {
    expect(t.render("{{ lookup('varnames', '^q.*_\\d') }}", { qz_1: 1, qz_2: 2, qa_1: 3, qz_: 4 })).toBe('qz_1,qz_2,qa_1');
  });
});

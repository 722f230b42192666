import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Templar } from '../../src/template/index.js';

const t = new Templar();
const dir = mkdtempSync(path.join(os.tmpdir(), 'rp-tmpl-tests-'));
mkdirSync(path.join(dir, 'sub'));
writeFileSync(path.join(dir, 'f.txt'), 'x');
symlinkSync(path.join(dir, 'f.txt'), path.join(dir, 'ln'));

const vars = {
  n: null,
  ok: { changed: false, failed: false },
  bad: { changed: true, failed: true, msg: 'boom' },
  skip: { changed: false, skipped: true },
  dir,
  file: path.join(dir, 'f.txt'),
  link: path.join(dir, 'ln'),
  sub: path.join(dir, 'sub'),
};

// [expression, expected boolean]
const cases: [string, boolean][] = [
  ['missing is defined', false],
  ['n is defined', true],
  ['missing is undefined', true],
  ['missing.attr is defined', false],
  ['ok.nope is defined', false],
  ['ok.changed is defined', true],
  ['n is none', true],
  ['n is None', true],
  ['0 is none', false],
  ['n is not none', false],
  ["'x' is truthy", true],
  ['[] is truthy', false],
  ['{} is falsy', true],
  ["'no' is truthy(convert_bool=True)", false],
  ['true is boolean', true],
  ["'true' is boolean", false],
  ['3 is integer', true],
  ['3.5 is integer', false],
  ['3.5 is float', true],
  ['3 is number', true],
  ["'3' is number", false],
  ["'s' is string", true],
  ['[1] is string', false],
  ['{} is mapping', true],
  ['[] is mapping', false],
  ['[] is sequence', true],
  ["'abc' is iterable", true],
  ['5 is iterable', false],
  ["'foobar' is match('foo')", true],
  ["'foobar' is match('bar')", false],
  ["'foobar' is search('bar')", true],
  ["'FOO' is search('foo', ignorecase=True)", true],
  ["'foobar' is regex('o+b')", true],
  ["'abc' is regex('^b', match_type='match')", false],
  ["'a' is in ['a', 'b']", true],
  ["'a' is in 'cat'", true],
  ["['a', 'b'] is contains 'b'", true],
  ["['a', 'b'] is contains('z')", false],
  ["'2.6.16.33-xen' is version('2.6', '>=')", true],
  ["'2.6.16.33-xen' is version('2.7', 'lt')", true],
  ["'1.10' is version('1.9', 'gt')", true],
  ["'1.2.3' is version('1.2.3', 'eq')", true],
  ["'1.2.3' is version('1.2.3', '==')", true],
  ["'1.2.3' is version('1.2.4', 'ne')", true],
  ["'1.2' is version('1.2.0', '<')", true],
  ["'5.4' is version('5.4', 'le')", true],
  ["'5.4' is version('5.3', 'ge')", true],
  ["'2.0' is version_compare('1.9', '>')", true],
  ["'1.0.0-beta' is version('1.0.0', '<', version_type='semver')", true],
  ['ok is succeeded', true],
  ['ok is success', true],
  ['bad is succeeded', false],
  ['bad is failed', true],
  ['bad is failure', true],
  ['bad is changed', true],
  ['ok is change', false],
  ['skip is skipped', true],
  ['skip is skip', true],
  ['ok is skipped', false],
  ['file is file', true],
  ['sub is file', false],
  ['sub is directory', true],
  ['link is link', true],
  ['file is link', false],
  ['file is exists', true],
  ["'/no/such/path' is exists", false],
  ["'/etc' is abs", true],
  ["'etc' is abs", false],
  ['[1, 2] is subset([1, 2, 3])', true],
  ['[1, 4] is subset([1, 2, 3])', false],
  ['[1, 2, 3] is superset([3])', true],
  ['10 is divisibleby 5', true],
  ['10 is divisibleby(3)', false],
  ['4 is even', true],
  ['3 is odd', true],
  ['3 is equalto 3', true],
  ['3 is eq 3', true],
  ["'abc' is lower", true],
  ["'ABC' is upper", true],
  ["'AbC' is upper", false],
  ['file is ansible.builtin.file', true],
];

describe('tests', () => {
  test.each(cases)('%s', (expr, expected) => {
    expect(t.evaluate(expr, vars)).toBe(expected);
  });

  test('unknown test is named', () => {
    expect(() => t.evaluate('1 is frobbed', {})).toThrow(/frobbed/);
  });

  test('result tests refuse non-dicts', () => {
    expect(() => t.evaluate("'x' is failed", {})).toThrow(/dictionary/);
  });

  test('tests other than defined/undefined fail on undefined input', () => {
    expect(() => t.evaluate('missing is string', {})).toThrow("'missing' is undefined");
  });
});

// The version test's version_type='pep440': the order of Python packaging's Version (this
// list is what sorted(..., key=Version) gives), equality across spellings, and its errors.
import { describe, expect, it } from 'vitest';
import { comparePep440 } from '../../src/template/version-pep440.js';
import { versionTest } from '../../src/template/tests.js';

// packaging 23's order for these, ties kept in input order
const ORDERED = ['1.0.dev0', '1.0a1', '1.0-alpha-1', '1.0a2.dev1', '1.0b1', '1.0rc1', '1.0c1', '1.0.preview3', '1.0', '1.0.0', '1.0+abc', '1.0+abc.5', '1.0+5', '1.0.post1.dev2', '1.0.post1', 'v1.1', '1.1-1', '1.1.r2', '2.14.0rc1', '2.14.0', '1!0.1'];

describe('PEP 440 versions', () => {
  it('orders as packaging does', () => {
    for (let i = 1; i < ORDERED.length; i++) expect(comparePep440(ORDERED[i - 1], ORDERED[i]), `${ORDERED[i - 1]} vs ${ORDERED[i]}`).toBeLessThanOrEqual(0);
    expect(comparePep440('1!0.1', '2.14.0')).toBe(1);
    expect(comparePep440('1.0.dev0', '1.0a1')).toBe(-1);
  });

  it.each([
    ['1.0', '1.0.0', 0],
    ['1.0a1', '1.0-alpha-1', 0],
    ['1.0rc1', '1.0c1', 0],
    ['1.1-1', '1.1.post1', 0],
    ['1.0rc1', '1.0', -1],
    ['1.0+5', '1.0+abc', 1],
  ])('%s against %s is %i', (a, b, c) => {
    expect(Math.sign(comparePep440(a, b))).toBe(c);
  });

  it('answers the version test', () => {
    expect(versionTest('2.14.0rc1', '2.14.0', 'lt', undefined, 'pep440')).toBe(true);
    expect(versionTest('2.14.0', '2.14.0rc1', 'lt', undefined, 'pep440')).toBe(false);
  });

  it("fails on what packaging rejects, in Ansible's words", () => {
    expect(() => versionTest('nope', '1.0', 'lt', undefined, 'pep440')).toThrow("Version comparison failed: Invalid version: 'nope'");
  });
});

describe("the version test's checks, in Ansible's order and words", () => {
  it.each([
    [['1.0', '1.0', '==', false, 'loose'], "Cannot specify both 'strict' and 'version_type'"],
    [['', '1.0', '>'], 'Input version value cannot be empty'],
    [['', '', '>'], 'Input version value cannot be empty'],
    [['1.0', '', '>'], 'Version parameter to compare against cannot be empty'],
    [['1.0', '1.0', '==', undefined, 'boom'], "Invalid version type (boom). Must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'"],
    [['1.0', '1.0', 'equals'], "Invalid operator type (equals). Must be one of '==', '=', 'eq', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge', '!=', '<>', 'ne'"],
    [['1.0', 'nope', '==', true], "Version comparison failed: invalid version number 'nope'"],
  ])('%j fails: %s', (args, msg) => {
    const [value, ...rest] = args;
    expect(() => versionTest(value, ...rest)).toThrow(msg);
  });

  it.each([
    [['1.0', '1.0.0', '==', true], true],
    [['1.0a1', '1.0', '<', true], true],
    [['1.0b1', '1.0a2', '>', true], true],
  ])('strict %j is %s', (args, expected) => {
    const [value, ...rest] = args;
    expect(versionTest(value, ...rest)).toBe(expected);
  });
});

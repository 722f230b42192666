import { describe, expect, it } from 'vitest';
import { replaceModule, type ReplaceArgs } from '../../src/modules/replace.js';
import { compilePythonRegex, expandPythonTemplate, pythonSubn } from '../../src/modules/python-regex.js';
import { finish, planCtx, planned, probeOut, putContent, rec, type RawFile } from './file-module-helpers.js';

const base = { path: '/etc/hosts', regexp: '', replace: '', backup: false, encoding: 'utf-8', unsafe_writes: false } as const;
const stamp = { pid: 1, time: 0 };
const plan = (a: Partial<ReplaceArgs>, f: RawFile | 'absent') => planned(() => replaceModule.plan!({ args: { ...base, ...a }, stamp }, probeOut(rec('p', f)).p, planCtx));

const rows: Array<{ name: string; args: Partial<ReplaceArgs>; before: string; after: string; count: number }> = [
  { name: 'every match, multiline anchors', args: { regexp: '^old$', replace: 'new' }, before: 'old\nx old\nold\n', after: 'new\nx old\nnew\n', count: 2 },
  { name: 'numbered backrefs', args: { regexp: '(\\w+)@(\\w+)', replace: '\\2 at \\1' }, before: 'me@home\n', after: 'home at me\n', count: 1 },
  { name: 'named group and \\g<0>', args: { regexp: '^v(?P<n>\\d+)', replace: 'V\\g<n>[\\g<0>]' }, before: 'v1\nv22\n', after: 'V1[v1]\nV22[v22]\n', count: 2 },
  { name: 'after/before window', args: { regexp: 'x', replace: 'y', after: 'START', before: 'STOP' }, before: 'x START x x STOP x\n', after: 'x START y y STOP x\n', count: 2 },
  { name: 'after only', args: { regexp: 'x', replace: 'y', after: 'HERE' }, before: 'x HERE x\n', after: 'x HERE y\n', count: 1 },
  { name: 'an empty after is no bound (Python truthiness)', args: { regexp: 'x', replace: 'y', after: '' }, before: 'x x\n', after: 'y y\n', count: 2 },
  { name: 'delete lines (empty replace)', args: { regexp: '^#.*\\n' }, before: '#a\nb\n#c\n', after: 'b\n', count: 2 },
];

describe('replace plan', () => {
  for (const row of rows) {
    it(row.name, () => {
      const before: RawFile = { content: row.before };
      const p = plan(row.args, before);
      expect(p.failed).toBeUndefined();
      expect(p.result?.msg).toBe(`${row.count} replacements made`);
      expect(p.result?.rc).toBe(0);
      expect(putContent(p)!.toString('utf8')).toBe(row.after);
      // Replacing with something the regexp no longer matches converges.
      expect(plan(row.args, finish(before, p)).steps).toEqual([]);
    });
  }

  it('word boundaries wrap again each run (no convergence, as in Ansible)', () => {
    const p = plan({ regexp: '\\b(.+)\\b', replace: '"\\1"' }, { content: '"The fox."\n' });
    expect(putContent(p)!.toString('utf8')).toBe('""The fox"."\n');
  });

  it('fails like Ansible on a missing path', () => {
    expect(plan({ regexp: 'x' }, 'absent').failed).toBe('Path /etc/hosts does not exist !');
  });

  it('before/after that match nothing change nothing', () => {
    const p = plan({ regexp: 'x', after: 'NOPE' }, { content: 'x\n' });
    expect(p.steps).toEqual([]);
    expect(p.result?.msg).toMatch(/did not match/);
  });
});

describe('python regex translation', () => {
  it('anchors and dot behave as in Python', () => {
    expect(compilePythonRegex('^a$').test('a\n')).toBe(true);
    expect(compilePythonRegex('^a$').test('a\nb')).toBe(false);
    expect(compilePythonRegex('\\Aa\\Z').test('a\n')).toBe(false);
    expect(compilePythonRegex('a.b').test('a\rb')).toBe(true);
    expect(compilePythonRegex('a.b').test('a\nb')).toBe(false);
    expect(compilePythonRegex('(?s)a.b').test('a\nb')).toBe(true);
    expect(compilePythonRegex('(?i)ABC').test('abc')).toBe(true);
    expect(compilePythonRegex('(?P<x>a)(?P=x)').test('aa')).toBe(true);
    expect(compilePythonRegex('[]a]').test(']')).toBe(true);
  });

  it('replacement templates expand like match.expand', () => {
    const m = compilePythonRegex('(?P<k>a)(b)?').exec('a')!;
    expect(expandPythonTemplate('\\1-\\g<k>-\\2-\\n-\\\\', m)).toBe('a-a--\n-\\');
    expect(() => expandPythonTemplate('\\q', m)).toThrow(/bad escape/);
    expect(pythonSubn(compilePythonRegex('x*'), '-', 'abxd')).toEqual(['-a-b--d-', 5]);
  });
});

describe('replace diff', () => {
  it("names the bare path in both headers (lineinfile and blockinfile add ' (content)')", () => {
    const p = planned(() => replaceModule.plan!({ args: { ...base, regexp: 'a', replace: 'b' }, stamp }, probeOut(rec('p', { content: 'a\n' })).p, { ...planCtx, diff: true }));
    const diffs = [p.diff].flat();
    expect(diffs[0]).toMatchObject({ before_header: '/etc/hosts', after_header: '/etc/hosts', before: 'a\n', after: 'b\n' });
  });
});

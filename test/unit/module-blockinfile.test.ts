import { describe, expect, it } from 'vitest';
import { blockinfileModule, type BlockinfileArgs } from '../../src/modules/blockinfile.js';
import { finish, planCtx, planned, probeOut, putContent, rec, type RawFile } from './file-module-helpers.js';

const base = {
  path: '/etc/hosts', state: 'present', marker: '# {mark} ANSIBLE MANAGED BLOCK', block: '', create: false, backup: false,
  marker_begin: 'BEGIN', marker_end: 'END', append_newline: false, prepend_newline: false, unsafe_writes: false,
} as const;
const stamp = { pid: 1, time: 0 };
const plan = (a: Partial<BlockinfileArgs>, f: RawFile | 'absent') => planned(() => blockinfileModule.plan!({ args: { ...base, ...a }, stamp }, probeOut(rec('p', f)).p, planCtx));
const B = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const E = '# END ANSIBLE MANAGED BLOCK\n';

const rows: Array<{ name: string; args: Partial<BlockinfileArgs>; before: string | 'absent'; after: string; msg: string }> = [
  { name: 'insert at EOF', args: { block: 'x\ny' }, before: 'a\n', after: `a\n${B}x\ny\n${E}`, msg: 'Block inserted' },
  { name: 'insert at EOF after a missing newline', args: { block: 'x' }, before: 'a', after: `a\n${B}x\n${E}`, msg: 'Block inserted' },
  { name: 'update between markers', args: { block: 'new' }, before: `a\n${B}old\n${E}z\n`, after: `a\n${B}new\n${E}z\n`, msg: 'Block inserted' },
  { name: 'remove', args: { state: 'absent' }, before: `a\n${B}old\n${E}z\n`, after: 'a\nz\n', msg: 'Block removed' },
  { name: 'insertbefore BOF', args: { block: 'x', insertbefore: 'BOF' }, before: 'a\n', after: `${B}x\n${E}a\n`, msg: 'Block inserted' },
  { name: 'insertafter regex (last match)', args: { block: 'x', insertafter: '^a' }, before: 'a1\nb\na2\nc\n', after: `a1\nb\na2\n${B}x\n${E}c\n`, msg: 'Block inserted' },
  { name: 'multiline insertafter: after the line where the match ends', args: { block: 'x', insertafter: '(?m)^L =\\n.*\\(S =' }, before: 'a\nL =\n  (S =\n  )\n', after: `a\nL =\n  (S =\n${B}x\n${E}  )\n`, msg: 'Block inserted' },
  { name: 'multiline insertbefore: before the line where the match starts', args: { block: 'x', insertbefore: '(?m)^L =\\n' }, before: 'a\nL =\n  b\n', after: `a\n${B}x\n${E}L =\n  b\n`, msg: 'Block inserted' },
  { name: 'custom marker', args: { block: 'x', marker: '<!-- {mark} -->', marker_begin: 'START', marker_end: 'STOP' }, before: '', after: '<!-- START -->\nx\n<!-- STOP -->\n', msg: 'Block inserted' },
  { name: 'create', args: { block: 'x', create: true }, before: 'absent', after: `${B}x\n${E}`, msg: 'File created' },
  { name: 'prepend/append newline', args: { block: 'x', insertafter: '^a', prepend_newline: true, append_newline: true }, before: 'a\nb\n', after: `a\n\n${B}x\n${E}\nb\n`, msg: 'Block inserted' },
];

describe('blockinfile plan', () => {
  for (const row of rows) {
    it(row.name, () => {
      const before: RawFile | 'absent' = row.before === 'absent' ? 'absent' : { content: row.before };
      const p = plan(row.args, before);
      expect(p.failed).toBeUndefined();
      expect(p.result?.msg).toBe(row.msg);
      expect(putContent(p)!.toString('utf8')).toBe(row.after);
      expect(plan(row.args, finish(before, p)).steps).toEqual([]);
    });
  }

  it('absent on a missing file is not a change', () => {
    const p = plan({ state: 'absent' }, 'absent');
    expect(p.steps).toEqual([]);
    expect(p.result?.msg).toBe('File /etc/hosts not present');
  });

  it('missing file without create fails like Ansible', () => {
    expect(plan({ block: 'x' }, 'absent').failed).toBe('Path /etc/hosts does not exist !');
  });
});

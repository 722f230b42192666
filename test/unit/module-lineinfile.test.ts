import { describe, expect, it } from 'vitest';
import { lineinfileModule, type LineinfileArgs } from '../../src/modules/lineinfile.js';
import { finish, planCtx, planned, probeOut, putContent, rec, type RawFile } from './file-module-helpers.js';

const base = { path: '/etc/app.conf', state: 'present', backrefs: false, create: false, backup: false, firstmatch: false, unsafe_writes: false } as const;
const stamp = { pid: 7, time: new Date(2024, 4, 6, 7, 8, 9).getTime() };
const plan = (a: Partial<LineinfileArgs>, f: RawFile | 'absent') => planned(() => lineinfileModule.plan!({ args: { ...base, ...a }, stamp }, probeOut(rec('p', f)).p, planCtx));

// Expected outputs follow Ansible's lineinfile.present()/absent() rules.
const rows: Array<{ name: string; args: Partial<LineinfileArgs>; before: string | 'absent'; after: string; msg: string }> = [
  { name: 'append at EOF', args: { line: 'c=3' }, before: 'a=1\nb=2\n', after: 'a=1\nb=2\nc=3\n', msg: 'line added' },
  { name: 'append after a missing final newline', args: { line: 'c=3' }, before: 'a=1', after: 'a=1\nc=3\n', msg: 'line added' },
  { name: 'regexp replaces the last match', args: { regexp: '^a=', line: 'a=9' }, before: 'a=1\nb=2\na=3\n', after: 'a=1\nb=2\na=9\n', msg: 'line replaced' },
  { name: 'firstmatch replaces the first', args: { regexp: '^a=', line: 'a=9', firstmatch: true }, before: 'a=1\nb=2\na=3\n', after: 'a=9\nb=2\na=3\n', msg: 'line replaced' },
  { name: 'python $ matches before the newline', args: { regexp: '^b=2$', line: 'b=5' }, before: 'a=1\nb=2\n', after: 'a=1\nb=5\n', msg: 'line replaced' },
  { name: 'insertafter regex', args: { insertafter: '^\\[main\\]', line: 'x=1' }, before: '[main]\ny=2\n', after: '[main]\nx=1\ny=2\n', msg: 'line added' },
  { name: 'insertbefore regex', args: { insertbefore: '^y=', line: 'x=1' }, before: '[main]\ny=2\n', after: '[main]\nx=1\ny=2\n', msg: 'line added' },
  { name: 'insertbefore BOF', args: { insertbefore: 'BOF', line: '#!/bin/sh' }, before: 'echo\n', after: '#!/bin/sh\necho\n', msg: 'line added' },
  { name: 'search_string', args: { search_string: 'PermitRootLogin', line: 'PermitRootLogin no' }, before: '#PermitRootLogin yes\n', after: 'PermitRootLogin no\n', msg: 'line replaced' },
  { name: 'backrefs with named group', args: { regexp: '^(?P<k>\\w+)=old$', line: '\\g<k>=new', backrefs: true }, before: 'key=old\n', after: 'key=new\n', msg: 'line replaced' },
  { name: 'create a new file', args: { line: 'x', create: true }, before: 'absent', after: 'x\n', msg: 'line added' },
  { name: 'absent by regexp', args: { state: 'absent', regexp: '^#' }, before: '#a\nb\n#c\n', after: 'b\n', msg: '2 line(s) removed' },
  { name: 'hostile line', args: { line: "$(rm -rf /) `x` 'q' -dash" }, before: '', after: "$(rm -rf /) `x` 'q' -dash\n", msg: 'line added' },
];

describe('lineinfile plan', () => {
  for (const row of rows) {
    it(row.name, () => {
      const before: RawFile | 'absent' = row.before === 'absent' ? 'absent' : { content: row.before };
      const p = plan(row.args, before);
      expect(p.failed).toBeUndefined();
      expect(p.result?.msg).toBe(row.msg);
      expect(putContent(p)!.toString('utf8')).toBe(row.after);
      expect((p.diff as Array<{ after: string }>)[0].after).toBe(row.after);
      const again = plan(row.args, finish(before, p));
      expect(again.steps).toEqual([]);
      expect(again.result?.msg).toBe(row.args.state === 'absent' ? '' : '');
    });
  }

  it('backrefs without a match leaves the file alone', () => {
    expect(plan({ regexp: '^nomatch(.*)', line: '\\1', backrefs: true }, { content: 'a\n' }).steps).toEqual([]);
  });

  it('fails like Ansible on a missing file without create, and on a directory', () => {
    expect(plan({ line: 'x' }, 'absent').failed).toBe('Destination /etc/app.conf does not exist !');
    expect(plan({ line: 'x' }, { type: 'directory' }).failed).toBe('Path /etc/app.conf is a directory !');
    expect(plan({}, { content: '' }).failed).toBe('line is required with state=present');
  });

  it('mode change alone is reported with Ansible\'s message', () => {
    const p = plan({ line: 'a', mode: '0600' }, { content: 'a\n' });
    expect(p.steps).toEqual([{ kind: 'exec', cmd: 'chmod 0600 -- /etc/app.conf' }]);
    expect(p.result?.msg).toBe('ownership, perms or SE linux context changed');
  });

  it('a file that is not UTF-8 is edited byte-exact', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x0a, 0x61, 0x0a]);
    const p = plan({ regexp: '^a$', line: 'ü' }, { content: bytes });
    expect(putContent(p)!.equals(Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('ü\n')]))).toBe(true);
  });

  it('backup names the copy as Ansible does', () => {
    const p = lineinfileModule.plan!({ args: { ...base, line: 'x', backup: true }, stamp }, probeOut(rec('p', { content: 'a\n' })).p, planCtx);
    expect(p.result?.backup).toBe('/etc/app.conf.7.2024-05-06@07:08:09~');
  });
});

describe('lineinfile warnings', () => {
  it('an empty regexp or search_string warns as Ansible does, and still edits', () => {
    const r = plan({ regexp: '', line: 'x' }, { content: 'a\nb\n' });
    expect(putContent(r)!.toString('utf8')).toBe('a\nx\n');
    expect(r.result?.warnings).toEqual([
      "The regular expression is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending. If this is desired, use '^' to match every line in the file and avoid this warning.",
    ]);
    const s = plan({ search_string: '', line: 'x' }, { content: 'a\n' });
    expect(String((s.result?.warnings as string[])[0])).toMatch(/^The search string is an empty string/);
    expect(plan({ regexp: '^a', line: 'x' }, { content: 'a\n' }).result?.warnings).toBeUndefined();
  });
});

// ini_file's edit, case by case as community.general's module computes it; each case's
// result edited once more must change nothing (its finished state plans no steps).
import { describe, expect, it } from 'vitest';
import { editIni, iniFileModule, planIniFile, type IniFileArgs } from '../../src/modules/ini-file.js';
import type { FileFacts } from '../../src/facts/file-probe.js';

const BASE = '; about\ntop = 1\n[main]\n# keepcache = 0\ndebuglevel=2\n\n[repo]\nurl = a\nurl = b\n# end\n';
const a = (x: Partial<IniFileArgs>): IniFileArgs => ({ path: '/x.ini', state: 'present', exclusive: true, no_extra_spaces: false, allow_no_value: false, create: true, backup: false, ...x }) as IniFileArgs;

const CASES: [string, string, Partial<IniFileArgs>, string, string][] = [
  ['uncomments a commented option in place', BASE, { section: 'main', option: 'keepcache', value: '1' }, BASE.replace('# keepcache = 0', 'keepcache = 1'), 'option changed'],
  ['rewrites a value without spaces', BASE, { section: 'main', option: 'debuglevel', value: '3', no_extra_spaces: true }, BASE.replace('debuglevel=2', 'debuglevel=3'), 'option changed'],
  ['adds after the last non-blank line of the section', BASE, { section: 'main', option: 'gpgcheck', value: '1' }, BASE.replace('debuglevel=2\n', 'debuglevel=2\ngpgcheck = 1\n'), 'option added'],
  ['keeps the matching one of repeated values, drops the rest', BASE, { section: 'repo', option: 'url', values: ['b'] }, BASE.replace('url = a\n', ''), 'option changed'],
  ['appends a missing section', BASE, { section: 'new', option: 'on', value: 'yes' }, `${BASE}[new]\non = yes\n`, 'section and option added'],
  ['an option without a value', BASE, { section: 'main', option: 'flag', allow_no_value: true }, BASE.replace('debuglevel=2\n', 'debuglevel=2\nflag\n'), 'option added'],
  ['before the first section', BASE, { option: 'top', value: '2' }, BASE.replace('top = 1', 'top = 2'), 'option changed'],
  ['removes one value of a repeated option', BASE, { section: 'repo', option: 'url', values: ['a'], exclusive: false, state: 'absent' }, BASE.replace('url = a\n', ''), 'option changed'],
  ['removes a section', BASE, { section: 'repo', state: 'absent' }, BASE.replace(/\[repo\][^]*$/, ''), 'section removed'],
  ['an empty file', '', { section: 's', option: 'o', value: 'v' }, '\n[s]\no = v\n', 'section and option added'],
  ['adds the missing final newline', 'a = 1', { option: 'a', value: '1' }, 'a = 1\n', 'OK'],
];

describe('ini_file', () => {
  it.each(CASES)('%s', (_name, before, args, after, msg) => {
    const r = editIni(before, a(args));
    expect(r.text).toBe(after);
    expect(r.msg).toBe(msg);
    expect(r.changed).toBe(true);
    const again = editIni(r.text, a(args));
    expect(again.changed).toBe(false);
    expect(again.text).toBe(r.text);
  });

  it('plans nothing for a finished file, and one write for a changed one', () => {
    const facts = (content: string): FileFacts => ({ exists: true, type: 'file', mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', content: Buffer.from(content), extra: {} }) as unknown as FileFacts;
    const edit = { args: a({ section: 'main', option: 'keepcache', value: '1' }), stamp: { date: '2026-01-01@00:00:00~', pid: 1 } } as never;
    const done = planIniFile(edit, facts(BASE.replace('# keepcache = 0', 'keepcache = 1')), { check: false, diff: false, host: 'h', vars: {} });
    expect(done.steps).toEqual([]);
    const todo = planIniFile(edit, facts(BASE), { check: false, diff: true, host: 'h', vars: {} });
    expect(todo.steps.length).toBeGreaterThan(0);
    expect(todo.result?.msg).toBe('option changed');
  });

  it('fails as the module does', () => {
    const missing = { exists: false, extra: {} } as FileFacts;
    const plan = (x: Partial<IniFileArgs>, f: FileFacts) => planIniFile({ args: a(x), stamp: {} } as never, f, { check: false, diff: false, host: 'h', vars: {} });
    expect(() => plan({ section: 's', option: 'o', value: 'v', create: false }, missing)).toThrow('Destination /x.ini does not exist!');
    expect(() => plan({ section: 's', option: 'o' }, missing)).toThrow("Parameter 'value(s)' must be defined if state=present and allow_no_value=False.");
    expect(iniFileModule.constraints?.mutually_exclusive).toEqual([['value', 'values']]);
  });
});

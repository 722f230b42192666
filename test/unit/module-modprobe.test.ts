// modprobe's pure half: probe output built as the probe prints it (sections, then the
// dumped files of /etc/modules-load.d and /etc/modprobe.d) goes through the real parser;
// each row's plan is checked, and the row planned again with its finished state plans nothing.
import { describe, expect, it } from 'vitest';
import { parseModprobe, planModprobe, type ModprobeArgs } from '../../src/modules/modprobe.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';
import { have, out, sec } from './system-test-helpers.js';

type Files = Record<string, string>;
interface Host {
  loaded?: string[];
  builtin?: string[];
  load?: Files;
  options?: Files;
  dry?: [number, string];
}

const dump = (files: Files) => Object.entries(files).map(([p, t]) => `F ${p}\n${Buffer.byteLength(t)}\n${t}\n`).join('');

function facts(h: Host, persistent = true) {
  const parts = [
    have({ modprobe: true }),
    sec('list', (h.loaded ?? ['ext4']).map((m) => `${m} 16384 0 - Live 0x0000000000000000`).join('\n')),
    sec('builtin', ['/lib/modules/6.1.0/modules.builtin', ...(h.builtin ?? [])].join('\n')),
    sec('dryerr', h.dry?.[1] ?? '', h.dry?.[0] ?? 0),
  ];
  if (persistent) parts.push(`@@@load\n${dump(h.load ?? {})}\n@@@options\n${dump(h.options ?? {})}`);
  return parseModprobe(out(...parts));
}

const args = (a: Partial<ModprobeArgs>) => ({ name: 'dummy', state: 'present', params: '', persistent: 'disabled', ...a }) as ModprobeArgs;
const plan = (a: ModprobeArgs, h: Host) => planModprobe(a, facts(h, a.persistent !== 'disabled'), { check: false, diff: false, host: 'lab1', vars: {} });
const describeSteps = (p: Plan) => p.steps.map((s) => (s.kind === 'exec' ? s.cmd.replace(/^.*; /, '') : `put ${s.path} ${JSON.stringify(s.content.toString())}`));

const L = '/etc/modules-load.d';
const O = '/etc/modprobe.d';

const CASES: [string, Partial<ModprobeArgs>, Host, string[], Host][] = [
  ['loads a module', {}, {}, ['modprobe dummy >/dev/null'], { loaded: ['ext4', 'dummy'] }],
  ['loads with parameters', { params: 'numdummies=2 "x=a b"' }, {}, ["modprobe dummy numdummies=2 'x=a b' >/dev/null"], { loaded: ['dummy'] }],
  ['unloads a module', { state: 'absent' }, { loaded: ['dummy'] }, ['modprobe -r dummy >/dev/null'], {}],
  ['finds a dashed name under its underscored one', { name: 'nf-conntrack' }, { loaded: ['nf_conntrack'] }, [], { loaded: ['nf_conntrack'] }],
  ['takes a built-in module as loaded', { name: 'loop' }, { builtin: ['kernel/drivers/block/loop.ko'] }, [], { builtin: ['kernel/drivers/block/loop.ko'] }],
  [
    'makes it persistent, with parameters',
    { persistent: 'present', params: 'numdummies=2' },
    { loaded: ['dummy'] },
    [`put ${L}/dummy.conf "dummy\\n"`, `put ${O}/dummy.conf "options dummy numdummies=2\\n"`],
    { loaded: ['dummy'], load: { [`${L}/dummy.conf`]: 'dummy\n' }, options: { [`${O}/dummy.conf`]: 'options dummy numdummies=2\n' } },
  ],
  [
    // the module joins the lines it read, newlines and all, with '\n'
    'comments out old parameters elsewhere, as the module rewrites them',
    { persistent: 'present', params: 'numdummies=3' },
    { loaded: ['dummy'], load: { [`${L}/x.conf`]: 'dummy # mine\n' }, options: { [`${O}/old.conf`]: 'options dummy numdummies=2\noptions loop max_loop=8\n' } },
    [`put ${O}/old.conf "#options dummy numdummies=2\\n\\noptions loop max_loop=8\\n"`, `put ${O}/dummy.conf "options dummy numdummies=3\\n"`],
    { loaded: ['dummy'], load: { [`${L}/x.conf`]: 'dummy # mine\n' }, options: { [`${O}/old.conf`]: '#options dummy numdummies=2\n\noptions loop max_loop=8\n', [`${O}/dummy.conf`]: 'options dummy numdummies=3\n' } },
  ],
  [
    'takes persistence away',
    { state: 'absent', persistent: 'absent' },
    { loaded: ['dummy'], load: { [`${L}/dummy.conf`]: 'dummy\n' }, options: { [`${O}/dummy.conf`]: 'options dummy numdummies=2\n' } },
    ['modprobe -r dummy >/dev/null', `put ${L}/dummy.conf "#dummy\\n"`, `put ${O}/dummy.conf "#options dummy numdummies=2\\n"`],
    { load: { [`${L}/dummy.conf`]: '#dummy\n' }, options: { [`${O}/dummy.conf`]: '#options dummy numdummies=2\n' } },
  ],
];

describe('modprobe', () => {
  it.each(CASES)('%s', (_n, a, before, expected, finished) => {
    const p = plan(args(a), before);
    expect(describeSteps(p)).toEqual(expected);
    expect(p.result).toEqual({ name: a.name ?? 'dummy', params: a.params ?? '', state: a.state ?? 'present' });
    expect(plan(args(a), finished).steps).toEqual([]);
  });

  const failure = (a: Partial<ModprobeArgs>, f: ReturnType<typeof facts>) => {
    try {
      planModprobe(args(a), f, { check: true, diff: false, host: 'lab1', vars: {} });
    } catch (e) {
      if (e instanceof ModuleFailure) return e.result();
      throw e;
    }
    return undefined;
  };

  it("fails with modprobe's own words when its dry run fails (as Ansible's check mode does)", () => {
    const r = failure({ name: 'nosuch' }, facts({ dry: [1, 'modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.1.0'] }, false));
    expect(r).toMatchObject({ failed: true, msg: 'modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.1.0\n', rc: 1, name: 'nosuch' });
  });

  it('names the missing tool and the host, and a missing module list', () => {
    expect(failure({}, parseModprobe(out(have({ modprobe: false })))).msg).toBe('Failed to find required executable "modprobe" on lab1');
    const noList = parseModprobe(out(have({ modprobe: true }), sec('list', "lsmod: ERROR: could not open '/proc/modules'", 1), sec('builtin', '/lib/modules/6.1.0/modules.builtin', 1)));
    expect(failure({}, noList)?.msg).toBe("[Errno 2] No such file or directory: '/proc/modules' (on lab1)");
    const noBuiltin = parseModprobe(out(have({ modprobe: true }), sec('list', 'ext4 1 0 - Live 0x0'), sec('builtin', '/lib/modules/6.1.0/modules.builtin', 1)));
    expect(failure({}, noBuiltin)?.msg).toBe("[Errno 2] No such file or directory: '/lib/modules/6.1.0/modules.builtin'");
  });
});

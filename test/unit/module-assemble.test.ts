// assemble's pure half: the joining rules (newlines, delimiters and their escapes, regexp,
// hidden files, order), the plan from probe records (each row again with its finished
// state plans nothing), and the real probe script run by sh on a real directory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFileProbe } from '../../src/facts/file-probe.js';
import { assembleFragments, escapeDecode, type Fragment } from '../../src/modules/assemble-fragments.js';
import { assembleModule, CHECK_MODE_SKIP, remoteFragments, type AssembleArgs, type AssemblePrepared } from '../../src/modules/assemble.js';
import { sha1 } from '../../src/modules/copy.js';
import type { Plan } from '../../src/modules/types.js';
import { finish, planned, probeOut, putContent, rec, type RawFile } from './file-module-helpers.js';

const f = (name: string, content?: string): Fragment => ({ name, content: content === undefined ? undefined : Buffer.from(content) });
const join2 = (entries: Fragment[], o: Partial<Parameters<typeof assembleFragments>[1]> = {}) => assembleFragments(entries, { side: 'host', ...o }).toString();

describe('assemble joining rules', () => {
  const cases: [string, Fragment[], Partial<Parameters<typeof assembleFragments>[1]>, string][] = [
    ['sorted by code point, newline added after a fragment without one', [f('b', 'B'), f('a', 'A\n'), f('ß', 'S')], {}, 'A\nB\nS'],
    ['directories and broken links are left out', [f('a', 'A\n'), f('dir'), f('b', 'B\n')], {}, 'A\nB\n'],
    ['delimiter between fragments only, with a newline after it', [f('1', 'x\n'), f('2', 'y\n')], { delimiter: '#--#' }, 'x\n#--#\ny\n'],
    ['an escaped newline ending the delimiter is not doubled on the host', [f('1', 'x\n'), f('2', 'y\n')], { delimiter: '--\\n' }, 'x\n--\ny\n'],
    ['the controller side always adds one (as Ansible does)', [f('1', 'x\n'), f('2', 'y\n')], { delimiter: '--\\n', side: 'controller' }, 'x\n--\n\ny\n'],
    ['regexp is searched in the name', [f('frag1', '1\n'), f('frag2', '2\n'), f('xfrag3', '3\n')], { regexp: '^frag[12]$' }, '1\n2\n'],
    ['ignore_hidden', [f('.h', 'H\n'), f('a', 'A\n')], { ignoreHidden: true }, 'A\n'],
    ['hidden files count by default', [f('.h', 'H\n'), f('a', 'A\n')], {}, 'H\nA\n'],
    ['an empty fragment still gets a newline after it', [f('1', ''), f('2', 'y')], {}, '\ny'],
    ['the delimiter is decoded again before each use', [f('1', 'a'), f('2', 'b'), f('3', 'c')], { delimiter: '\\\\t' }, 'a\n\\t\nb\n\t\nc'],
  ];
  for (const [name, entries, opts, want] of cases) it(name, () => expect(join2(entries, opts)).toBe(want));

  it("Python's escape_decode", () => {
    expect(escapeDecode(Buffer.from('a\\x41\\101\\q\\\\')).toString()).toBe('aAA\\q\\');
    expect(() => escapeDecode(Buffer.from('a\\'))).toThrow('Trailing \\ in string');
    expect(() => escapeDecode(Buffer.from('\\xZZ'))).toThrow(/invalid \\x escape/);
  });

  it('a bad regexp fails with the module\'s words', () => {
    expect(() => join2([f('a', 'A')], { regexp: '(' })).toThrow(/^Invalid Regexp \(.*\) in "\("$/);
  });
});

const stamp = { pid: 4242, time: new Date(2024, 0, 2, 3, 4, 5).getTime() };
const base: AssembleArgs = { backup: false, remote_src: true, ignore_hidden: false, decrypt: true, follow: false, unsafe_writes: false };
const ctx = { check: false, diff: true, host: 'web1', vars: {} };

/** Probe records of a source directory as the probe prints them: N<i> names, E<i> facts. */
function dirRecords(entries: [string, RawFile | 'absent'][]): Buffer[] {
  const out: Buffer[] = [rec('s', { type: 'directory' })];
  entries.forEach(([name, file], i) => {
    out.push(Buffer.from(`@N${i}\nreal ${Buffer.byteLength(name)}\n${name}\n`), rec(`E${i}`, file));
  });
  return out;
}

const FRAGS: [string, RawFile | 'absent'][] = [
  ['20-b', { content: 'b = 2' }],
  ['10-a', { content: 'a = 1\n' }],
  ['sub', { type: 'directory' }],
  ['dangling', 'absent'],
];
const ASSEMBLED = 'a = 1\nb = 2';

interface Row {
  name: string;
  args: Partial<AssembleArgs>;
  dest: RawFile | 'absent';
  steps: string[];
  result?: Record<string, unknown>;
}

const rows: Row[] = [
  { name: 'new file', args: {}, dest: 'absent', steps: ['put'], result: { state: 'file', mode: '0644', msg: 'OK', checksum: sha1(Buffer.from(ASSEMBLED)), owner: 'app', uid: 1000 } },
  { name: 'same content', args: {}, dest: { content: ASSEMBLED, mode: 0o600 }, steps: [], result: { mode: '0600', size: ASSEMBLED.length } },
  { name: 'different content keeps the mode', args: {}, dest: { content: 'old\n', mode: 0o640 }, steps: ['put'], result: { mode: '0640' } },
  { name: 'mode only', args: { mode: '0600' }, dest: { content: ASSEMBLED }, steps: ['exec:chmod 0600 -- /etc/app.conf'] },
  { name: 'owner and group', args: { owner: 'app', group: 'app' }, dest: { content: ASSEMBLED }, steps: ['exec:chown app -- /etc/app.conf', 'exec:chgrp app -- /etc/app.conf'] },
  {
    name: 'backup, then write',
    args: { backup: true },
    dest: { content: 'old\n' },
    steps: ["exec:cp -p -- /etc/app.conf '/etc/app.conf.4242.2024-01-02@03:04:05~'", 'put'],
    result: { backup_file: '/etc/app.conf.4242.2024-01-02@03:04:05~' },
  },
  { name: 'validate stages a temp file', args: { validate: 'app -t %s' }, dest: { content: 'old\n' }, steps: ['put', 'exec:{ ( app -t /etc/.app.conf.rackplay-validate'] },
];

function prep(a: Partial<AssembleArgs>): AssemblePrepared {
  return { args: { ...base, src: '/etc/app.d', dest: '/etc/app.conf', ...a }, stamp };
}

const WHO = Buffer.from('@u\nwho 1000 app 1000 app\n');

describe('assemble plan (remote_src)', () => {
  for (const row of rows) {
    it(row.name, () => {
      const p = prep(row.args);
      const plan = planned(() => assembleModule.plan!(p, probeOut(...dirRecords(FRAGS), rec('d', row.dest), WHO), ctx)) as Plan & { failed?: string };
      expect(plan.failed).toBeUndefined();
      const got = plan.steps.map((s) => (s.kind === 'put' ? 'put' : `exec:${s.cmd}`));
      expect(got.length).toBe(row.steps.length);
      row.steps.forEach((e, i) => expect(got[i].startsWith(e)).toBe(true));
      if (row.result) expect(plan.result).toMatchObject(row.result);
      expect(plan.diff).toBeUndefined(); // the module on the host returns no diff
      if (plan.steps.some((s) => s.kind === 'put')) expect(putContent(plan)!.toString()).toBe(ASSEMBLED);
      const done = finish(row.dest, plan);
      const again = assembleModule.plan!(p, probeOut(...dirRecords(FRAGS), rec('d', done)), ctx);
      expect(again.steps).toEqual([]);
    });
  }

  it('a missing or plain-file source fails with the module\'s words', () => {
    const p = prep({});
    expect(planned(() => assembleModule.plan!(p, probeOut(rec('s', 'absent'), rec('d', 'absent')), ctx)).failed).toBe('Source (/etc/app.d) does not exist');
    expect(planned(() => assembleModule.plan!(p, probeOut(rec('s', {}), rec('d', 'absent')), ctx)).failed).toBe('Source (/etc/app.d) is not a directory');
  });

  it('validate without %s fails', () => {
    const plan = planned(() => assembleModule.plan!(prep({ validate: 'app -t' }), probeOut(...dirRecords(FRAGS), rec('d', 'absent')), ctx));
    expect(plan.failed).toBe('validate must contain %s: app -t');
  });

  it('check mode skips with Ansible\'s words and probes nothing', () => {
    const p: AssemblePrepared = { ...prep({}), skip: true };
    expect(assembleModule.probe!(p)).toBeUndefined();
    expect(assembleModule.plan!(p, {}, { ...ctx, check: true })).toEqual({ steps: [], result: { skipped: true, msg: CHECK_MODE_SKIP } });
  });

  it('the controller side shows a content diff, and reports an unchanged file the same way', () => {
    const p: AssemblePrepared = { ...prep({ remote_src: false }), local: { dir: '/play/files/app.d', fragments: [f('a', 'A\n')] } };
    const plan = assembleModule.plan!(p, probeOut(rec('d', 'absent'), WHO), ctx);
    expect(plan.diff).toEqual({ before: '', after: 'A\n', after_header: '/etc/app.conf' });
    const again = assembleModule.plan!(p, probeOut(rec('d', { content: 'A\n' })), ctx);
    expect(again.steps).toEqual([]);
    expect(again.result).toMatchObject({ dest: '/etc/app.conf', checksum: sha1(Buffer.from('A\n')) });
  });
});

describe('assemble probe on a real directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'rp-assemble-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists every entry with its bytes, odd names included, and plans nothing once written', () => {
    const src = join(root, 'frag ments');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, '02 two'), 'two');
    writeFileSync(join(src, '01\none'), 'one\n');
    writeFileSync(join(src, '.hidden'), 'hidden\n');
    writeFileSync(join(src, 'ßΩ.txt'), 'π\n');
    symlinkSync('02 two', join(src, '03-link'));
    symlinkSync('nowhere', join(src, '04-dangling'));
    const p = prep({ src, dest: join(root, 'out.conf') });
    const run = () => parseFileProbe(execFileSync('sh', ['-c', assembleModule.probe!(p)!]));
    const facts = run();
    expect(remoteFragments(facts).map((e) => e.name).sort()).toEqual(['.hidden', '01\none', '02 two', '03-link', '04-dangling', 'sub', 'ßΩ.txt']);
    const plan = assembleModule.plan!(p, facts, ctx);
    expect(putContent(plan)!.toString()).toBe('hidden\none\ntwo\ntwo\nπ\n');
    writeFileSync(join(root, 'out.conf'), putContent(plan)!);
    expect(assembleModule.plan!(p, run(), ctx).steps).toEqual([]);
  });
});

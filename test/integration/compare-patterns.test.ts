// The playbook patterns users write most (handlers by topic across a flush, a loop's
// registered results, the failed task seen from rescue, extended loops, another host's
// facts, include loops, roles listed twice, omit, status tests, check mode into a missing
// directory, ansible_become* variables over keywords): each fixture under test/fixtures/patterns runs through rackplay with its
// expected messages and recap written out here, and through ansible-playbook side by side
// (same exit code, per-task host lines, recap and messages). Each run works on its own
// copy of the fixture, and the files a run leaves must be the same for both tools.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, debugMsgs, expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';

interface Pattern {
  name: string;
  extra?: string[];
  msgs: string[];
  recap: Record<string, string>;
  /** Files left in the fixture copy after the run, beyond the fixture's own. */
  leaves?: string[];
}

const stats = (ok: number, changed: number, skipped = 0, rescued = 0, ignored = 0) =>
  `ok=${ok} changed=${changed} unreachable=0 failed=0 skipped=${skipped} rescued=${rescued} ignored=${ignored}`;

const PATTERNS: Pattern[] = [
  {
    name: 'listen-flush',
    msgs: ['after flush', 'app restarted', 'app restarted', 'config reloaded', 'proxy restarted', 'proxy restarted'],
    recap: { h1: stats(9, 3) },
  },
  {
    name: 'loop-register',
    msgs: ['alpha', 'alpha,beta,gamma True 3', 'alpha=alpha changed=True', 'beta=beta changed=False', 'gamma', 'gamma=gamma changed=True'],
    recap: { h1: stats(4, 1) },
  },
  {
    name: 'failed-task-rescue',
    msgs: ['cleanup', 'rescued and continued', 'this one fails rc=1 failed=True'],
    recap: { h1: stats(4, 0, 0, 1, 1) },
  },
  {
    name: 'loop-extended',
    msgs: ['0:nginx', '1/3 True False prev=none next=b rev=3', '1:redis', '2/3 False False prev=a next=c rev=2', '3/3 False True prev=b next=none rev=1'],
    recap: { h1: stats(2, 0) },
  },
  {
    name: 'hostvars-other',
    msgs: ['h1 sees id-h2', 'h2 sees id-h1', 'id-h1', 'id-h1,id-h2'],
    recap: { h1: stats(3, 0), h2: stats(3, 0) },
  },
  {
    name: 'include-loop',
    msgs: ['got ann', 'got bob', 'hello ann', 'hello bob'],
    recap: { h1: stats(8, 0, 1) },
  },
  {
    name: 'role-twice',
    msgs: ['hello moon', 'hello sun', 'hello sun', 'hello world'],
    recap: { h1: stats(4, 0) },
  },
  {
    name: 'omit-args',
    msgs: ['a no mode', 'b 0600', 'f True'],
    // The ignored failure changed (command): Ansible counts it under changed too.
    recap: { h1: stats(6, 4, 0, 0, 1) },
  },
  {
    name: 'conditions-status',
    msgs: ['True True False True True 0', 'attempts=1'],
    // The ignored failure reported changed: Ansible counts it under changed too.
    recap: { h1: stats(6, 4, 1, 0, 1) },
  },
  {
    // Needs sudo (the lab's tools, which .ci/run installs): root becomes nobody.
    name: 'become-vars-win',
    msgs: ['root nobody 0'],
    recap: { h1: stats(4, 0) },
  },
  {
    name: 'check-mode-template',
    extra: ['--check'],
    msgs: [],
    recap: { h1: stats(4, 4) },
  },
];

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-patterns-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copyOf(name: string, tool: string): string {
  const dir = path.join(work, `${name}-${tool}`);
  cpSync(path.join(repoRoot, 'test/fixtures/patterns', name), dir, { recursive: true });
  return dir;
}

const recapText = (r: CliRun) =>
  Object.fromEntries(Object.entries(parseRecap(r.stdout)).map(([h, s]) => [h, Object.entries(s).map(([k, v]) => `${k}=${v}`).join(' ')]));

describe('common playbook patterns', () => {
  for (const p of PATTERNS) {
    it(`${p.name}: rackplay prints the expected messages and recap`, async () => {
      const dir = copyOf(p.name, 'check');
      const r = await runRackplay(['-i', 'inv.ini', 'pb.yml', ...(p.extra ?? [])], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(debugMsgs(r.stdout)).toEqual(p.msgs);
      expect(recapText(r)).toEqual(p.recap);
      if (p.extra?.includes('--check')) expect(existsSync(path.join(dir, 'out'))).toBe(false);
    });
  }
});

describe.skipIf(!haveAnsiblePlaybook)('common playbook patterns match ansible-playbook (needs ansible-playbook: apt-get install ansible)', () => {
  for (const p of PATTERNS) {
    it(`${p.name}: same exit code, task lines, recap, messages and files`, async () => {
      const ourDir = copyOf(p.name, 'rackplay');
      const theirDir = copyOf(p.name, 'ansible');
      const args = ['-i', 'inv.ini', 'pb.yml', ...(p.extra ?? [])];
      const ours = await runRackplay(args, { cwd: ourDir });
      const theirs = await runCommand('ansible-playbook', args, { cwd: theirDir, env: { ANSIBLE_NOCOLOR: '1' } });
      // Task lines name the fixture copy's path (include banners): make the two copies alike.
      const same = (r: CliRun, from: string) => ({ ...r, stdout: r.stdout.split(from).join('FIXTURE') });
      expectSameRun({ ours: same(ours, ourDir), theirs: same(theirs, theirDir) });
      expect(readdirSync(ourDir).sort()).toEqual(readdirSync(theirDir).sort());
    });
  }
});

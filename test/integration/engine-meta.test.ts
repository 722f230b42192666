// Every meta action the meta module's schema accepts, run on three local hosts: the same
// hosts run the same tasks with the same results as under ansible-playbook (2.14 has no
// end_role, so that one is checked against Ansible 2.18's documented behaviour).
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { META_ACTIONS } from '../../src/modules/meta.js';
import { parseRecap, repoRoot, runCommand, runRackplay, type CliRun, haveAnsiblePlaybook } from '../helpers/cli.js';

const fixture = path.join(repoRoot, 'test/fixtures/meta');

const play = (tasks: string, extra = '') => `- hosts: all\n  gather_facts: false\n${extra}  tasks:\n${tasks}`;
const nextPlay = play('    - name: next play\n      debug: msg=next\n');

/** One playbook per meta action, each with an effect on which hosts run what. */
const CASES: Record<string, string> = {
  flush_handlers:
    play('    - name: notify\n      debug: msg=x\n      changed_when: true\n      notify: the handler\n    - meta: flush_handlers\n    - name: after\n      debug: msg=after\n') +
    '  handlers:\n    - name: the handler\n      debug: msg=handled\n',
  // end_play, end_batch, clear_facts and clear_host_errors take the `when` of the first host only.
  end_play: play('    - meta: end_play\n      when: inventory_hostname == "h2"\n    - name: not ended\n      debug: msg=two\n    - meta: end_play\n      when: inventory_hostname == "h1"\n    - name: never\n      debug: msg=three\n') + nextPlay,
  end_host: play('    - name: one\n      debug: msg=one\n    - meta: end_host\n      when: inventory_hostname == "h2"\n    - name: two\n      debug: msg=two\n'),
  end_batch: play('    - name: one\n      debug: msg=one\n    - meta: end_batch\n      when: inventory_hostname == "h1"\n    - name: two\n      debug: msg=two\n', '  serial: 2\n') + nextPlay,
  clear_facts: play(
    '    - setup: gather_subset=min\n    - meta: clear_facts\n      when: inventory_hostname == "h1"\n    - name: facts left\n      debug: msg="{{ ansible_facts | length }}"\n      failed_when: (ansible_facts | length) > 0\n',
  ),
  clear_host_errors: play('    - block:\n        - name: boom\n          fail: msg=boom\n          when: inventory_hostname == "h1"\n      always:\n        - meta: clear_host_errors\n    - name: after\n      debug: msg=after\n'),
  reset_connection: play('    - name: before\n      command: echo one\n      changed_when: false\n    - meta: reset_connection\n    - name: after\n      command: echo two\n      changed_when: false\n'),
  refresh_inventory: play('    - meta: refresh_inventory\n    - name: after\n      debug: msg=after\n'),
  noop: play('    - meta: noop\n    - name: after\n      debug: msg=after\n'),
};

/** TASK banners with the sorted host results under them; consecutive equal banners merge. */
function taskLines(stdout: string): string[] {
  const out: { task: string; results: string[] }[] = [];
  for (const line of stdout.split('\n')) {
    const banner = /^(TASK|RUNNING HANDLER) \[(.*)\]/.exec(line);
    if (banner) {
      if (out.at(-1)?.task !== banner[2]) out.push({ task: banner[2], results: [] });
      continue;
    }
    const res = /^(ok|changed|skipping|fatal|failed): \[([^\]]+)\]/.exec(line);
    if (res && out.length) out.at(-1)!.results.push(`${res[2]}:${res[1]}`);
    if (/^PLAY \[/.test(line)) out.push({ task: 'PLAY', results: [] });
  }
  return out.map((t) => `${t.task} ${t.results.sort().join(' ')}`.trim());
}

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-meta-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function setup(name: string, text: string): string {
  const dir = path.join(work, name);
  cpSync(fixture, dir, { recursive: true });
  writeFileSync(path.join(dir, 'site.yml'), text);
  return dir;
}

const rackplay = (dir: string) => runRackplay(['-i', 'inventory.ini', 'site.yml'], { cwd: dir });
const ansible = (dir: string) =>
  runCommand('ansible-playbook', ['-i', 'inventory.ini', 'site.yml'], {
    cwd: dir,
    env: { ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0', ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3' },
  });

function expectSame(ours: CliRun, theirs: CliRun): void {
  expect(ours.stderr).not.toMatch(/ERROR!|at .*\.js:\d+/);
  expect(ours.code).toBe(theirs.code);
  expect(taskLines(ours.stdout)).toEqual(taskLines(theirs.stdout));
  expect(parseRecap(ours.stdout)).toEqual(parseRecap(theirs.stdout));
}

describe('meta actions', () => {
  it('every action the schema accepts has a case here', () => {
    expect([...Object.keys(CASES), 'end_role'].sort()).toEqual([...META_ACTIONS].sort());
  });

  describe.skipIf(!haveAnsiblePlaybook)('match ansible-playbook (skipped: ansible-playbook is not installed)', () => {
    for (const [name, text] of Object.entries(CASES)) {
      it(name, async () => {
        const dir = setup(name, text);
        const [ours, theirs] = [await rackplay(dir), await ansible(dir)];
        expectSame(ours, theirs);
      });
    }
  });

  it('spot checks that do not depend on ansible-playbook', async () => {
    const endHost = await rackplay(setup('end_host-own', CASES.end_host));
    expect(taskLines(endHost.stdout)).toContain('two h1:ok h3:ok');
    const errors = await rackplay(setup('clear_host_errors-own', CASES.clear_host_errors));
    expect(taskLines(errors.stdout)).toContain('after h1:ok h2:ok h3:ok');
    const endPlay = await rackplay(setup('end_play-own', CASES.end_play));
    expect(taskLines(endPlay.stdout)).toContain('not ended h1:ok h2:ok h3:ok');
    expect(endPlay.stdout).not.toContain('TASK [never]');
    expect(taskLines(endPlay.stdout)).toContain('next play h1:ok h2:ok h3:ok');
  });

  it('end_role ends the rest of the role for the hosts whose `when` holds', async () => {
    const dir = setup('end_role', play('    - name: after the role\n      debug: msg=after\n', '  roles:\n    - stopper\n'));
    const r = await rackplay(dir);
    expect(r.code).toBe(0);
    expect(taskLines(r.stdout)).toEqual([
      'PLAY',
      'stopper : role first h1:ok h2:ok h3:ok',
      'stopper : end the role on h1 h2:skipping h3:skipping',
      'stopper : role second h2:ok h3:ok',
      'after the role h1:ok h2:ok h3:ok',
    ]);
    expect(parseRecap(r.stdout).h1).toMatchObject({ ok: 2, failed: 0, skipped: 0 });
  });

  it('end_role through include_role and import_role, and outside a role it fails the host', async () => {
    const dir = setup(
      'end_role-include',
      play('    - include_role: name=stopper\n    - import_role: name=stopper\n    - name: outside\n      meta: end_role\n      when: inventory_hostname == "h3"\n    - name: last\n      debug: msg=last\n'),
    );
    copyFileSync(path.join(fixture, 'inventory.ini'), path.join(dir, 'inventory.ini'));
    const r = await rackplay(dir);
    expect(r.code).toBe(2);
    const lines = taskLines(r.stdout);
    expect(lines.filter((l) => l.startsWith('stopper : role second'))).toEqual(['stopper : role second h2:ok h3:ok', 'stopper : role second h2:ok h3:ok']);
    expect(r.stdout).toContain("Cannot execute 'end_role' from outside of a role");
    expect(lines).toContain('last h1:ok h2:ok');
    expect(parseRecap(r.stdout).h3).toMatchObject({ failed: 1 });
  });
});

// git and uri over real SSH on lab hosts. Each host gets its own bare repository inside
// its root (a lab host sees only its own /srv), made and later advanced from this machine;
// the HTTP(S) servers listen on 127.0.0.1, which the hosts reach: they share this
// machine's network namespace (only mount, UTS and PID are their own). Each phase runs
// check → apply → apply → check; with Debian's ansible-playbook, every run also goes
// through it against a second lab host and must print the same task lines and recap.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';
import { makeGitFixture, type GitFixture } from '../helpers/git-fixture.js';
import { startTestServers, type TestServers } from '../helpers/http-test-server.js';
import { hostShell, labHostVars, startLab, type Lab, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)(`git and uri on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-net-lab-'));
  let lab: Lab;
  let ours: LabHost;
  let theirs: LabHost;
  let repos: GitFixture[];
  let srv: TestServers;

  beforeAll(async () => {
    lab = await startLab({ count: 2, dir: path.join(work, 'lab') });
    [ours, theirs] = lab.hosts;
    // the same repository on both hosts, at /srv/fixture/repo.git as each host sees it
    repos = [ours, theirs].map((h) => makeGitFixture(path.join(h.root, 'srv/fixture')));
    srv = await startTestServers();
    for (const [file, h] of [['ours.json', ours], ['theirs.json', theirs]] as const) {
      writeFileSync(path.join(work, file), JSON.stringify({ all: { hosts: { lab: { ...labHostVars(lab, h), h: srv.http, s: srv.https } } } }));
    }
  });
  afterAll(async () => {
    await srv?.stop();
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function both(pb: string, check: boolean): Promise<{ mine: CliRun; ref?: CliRun }> {
    const flags = check ? ['--check', '--diff'] : ['--diff'];
    const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };
    const mine = await runRackplay(['-i', 'ours.json', pb, ...flags], { cwd: work, env, timeoutMs: 120_000 });
    if (!haveAnsiblePlaybook) return { mine };
    const ref = await runCommand('ansible-playbook', ['-i', 'theirs.json', pb, ...flags], { cwd: work, env, timeoutMs: 120_000 });
    return { mine, ref };
  }

  /** check → apply → apply → check; returns the stdout of each of ours. */
  async function cycle(name: string, tasks: string, changes: [number, number, number, number]): Promise<string[]> {
    const pb = `${name}.yml`;
    writeFileSync(path.join(work, pb), `- hosts: all\n  gather_facts: false\n  tasks:${tasks}\n`);
    const outs: string[] = [];
    for (const [i, check] of [true, false, false, true].entries()) {
      const { mine, ref } = await both(pb, check);
      expect(mine.code, mine.stdout + mine.stderr).toBe(0);
      const recap = parseRecap(mine.stdout).lab;
      expect(recap.failed).toBe(0);
      expect(recap.changed, `${name} run ${i + 1}\n${mine.stdout}`).toBe(changes[i]);
      if (ref) expectSameRun({ ours: mine, theirs: ref });
      outs.push(mine.stdout);
    }
    return outs;
  }

  const GIT = `
    - git: {repo: /srv/fixture/repo.git, dest: /srv/app}
      register: a
    - git: {repo: /srv/fixture/repo.git, dest: /srv/app-v2, version: v2}
    - git: {repo: "file:///srv/fixture/repo.git", dest: /srv/app-feature, version: feature, depth: 1}
    - debug: {msg: "{{ a.before }} {{ a.after }} {{ a.changed }}"}`;

  it('git clones, then has nothing to do; a new commit is predicted, pulled, then nothing to do', async () => {
    const first = await cycle('git-clone', GIT, [3, 3, 0, 0]);
    expect(first[0]).toContain('>> Newly checked out');
    expect((await hostShell(ours, 'git -C /srv/app log --format=%s -1')).stdout).toBe('add second.txt\n');
    expect((await hostShell(ours, 'cat /srv/app-feature/feature.txt')).stdout).toBe('feature\n');
    const shas = repos.map((r) => r.commit('third.txt'));
    const second = await cycle('git-pull', GIT, [1, 1, 0, 0]);
    expect(second[0]).toContain('+third.txt');
    expect(second[1]).toMatch(/"msg": "[0-9a-f]{40} [0-9a-f]{40} True"/);
    expect((await hostShell(ours, 'git -C /srv/app rev-parse HEAD')).stdout.trim()).toBe(shas[0]);
  });

  const URI = `
    - uri: {url: "{{ h }}/json"}
      register: j
    - uri: {url: "{{ s }}/json", validate_certs: false, return_content: true}
      register: k
    - uri: {url: "{{ h }}/doc", dest: /srv/doc.txt, creates: /srv/doc.txt}
      register: d
    - debug: {msg: "{{ j.status | default('-') }} {{ j.json | default('-') }} {{ k.content | default('-') }} {{ d.changed }}"}`;

  it('uri is skipped in check mode; fetches, then creates: stops it the second time', async () => {
    const outs = await cycle('uri', URI, [0, 1, 0, 0]);
    expect(outs[1]).toContain(`"msg": "200 {'hello': 'world', 'n': [1, 2]} {\\"hello\\":\\"world\\",\\"n\\":[1,2]} True"`);
    expect((await hostShell(ours, 'cat /srv/doc.txt')).stdout).toBe('first version\n');
  });
});

// async: and poll: over real SSH on lab hosts: a polled job (its job file removed after),
// fire-and-forget then async_status until finished, cleanup, a job past its time, a
// planned module (file, lineinfile) in the background, and check mode refusing async.
// With Debian's ansible-playbook, the same playbook also runs through it against a second
// lab host and must give the same task lines, recap and debug messages. Last, the ad-hoc
// command's -B/-P with a local connection, beside Debian's `ansible`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';
import { hostShell, labHostVars, startLab, type Lab, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;

const PLAY = `- hosts: all
  gather_facts: false
  tasks:
    - name: polled job
      shell: echo hi; sleep 1; echo err >&2
      async: 20
      poll: 1
      register: a
    - debug: msg="a {{ a.finished }} {{ a.started }} {{ a.rc }} {{ a.stdout }} {{ a.stderr }} {{ a.changed }} {{ a.ansible_job_id is match('j[0-9]+[.][0-9]+') }} {{ a.results_file.endswith('/.ansible_async/' ~ a.ansible_job_id) }} {{ 'delta' in a }}"
    - stat: path={{ a.results_file }}
      register: a_file
    - debug: msg="a file removed {{ not a_file.stat.exists }}"

    - name: fire and forget
      command: sleep 2
      async: 30
      poll: 0
      register: b
    - debug: msg="b {{ b.started }} {{ b.finished }} {{ b is started }} {{ b is finished }} {{ b.changed }}"
    - name: wait for it
      async_status: jid={{ b.ansible_job_id }}
      register: c
      until: c is finished
      retries: 30
      delay: 1
    - debug: msg="c {{ c.finished }} {{ c.rc }} {{ c.cmd }} {{ c.changed }} {{ c.results_file == b.results_file }}"
    - name: read the job file as Ansible leaves it
      slurp: src={{ b.results_file }}
      register: raw
    - debug: msg="file {{ (raw.content | b64decode | from_json).cmd }} {{ (raw.content | b64decode | from_json).rc }}"
    - name: clean up
      async_status: jid={{ b.ansible_job_id }} mode=cleanup
      register: d
    - debug: msg="d {{ d.erased == b.results_file }} {{ d.started }} {{ d.finished }}"
    - name: no such job now
      async_status: jid={{ b.ansible_job_id }}
      register: e
      ignore_errors: true
    - debug: msg="e {{ e.msg }} {{ e.finished }}"

    - name: past its time
      command: sleep 6
      async: 2
      poll: 1
      register: f
      ignore_errors: true
    - debug: msg="f {{ f.msg }} {{ f.async_result.finished }}"

    - name: a failing job
      shell: echo out; exit 3
      async: 10
      poll: 1
      register: g
      ignore_errors: true
    - debug: msg="g {{ g.rc }} {{ g.msg }} {{ g.stdout }} {{ g.finished }}"

    - name: a planned module in the background
      file: path=/tmp/rackplay-async-dir state=directory mode=0750
      async: 10
      poll: 1
      register: h
    - debug: msg="h {{ h.changed }} {{ h.finished }} {{ h.mode }}"
    - name: and fire and forget
      lineinfile: path=/tmp/rackplay-async-dir/conf line="key=value" create=true
      async: 10
      poll: 0
      register: i
    - async_status: jid={{ i.ansible_job_id }}
      register: j
      until: j is finished
      retries: 30
      delay: 1
    - debug: msg="j {{ j.changed }} {{ j.msg }}"

    - name: as another user
      command: id -un
      become: true
      become_user: deploy
      async: 10
      poll: 0
      register: m
    - async_status: jid={{ m.ansible_job_id }}
      become: true
      become_user: deploy
      register: n
      until: n is finished
      retries: 30
      delay: 1
    - debug: msg="n {{ n.stdout }} {{ n.results_file.startswith('/home/deploy/.ansible_async/') }}"
`;

const CHECK = `- hosts: all
  gather_facts: false
  tasks:
    - command: echo never
      async: 10
      poll: 1
      ignore_errors: true
      register: k
    - debug: msg="k {{ k.msg }}"
    - async_status: jid=j1.2
      register: s
    - debug: msg="s {{ s.skipped }} {{ s.started }} {{ s.msg }}"
`;

describe.skipIf(!isRoot)(`async on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-async-lab-'));
  let lab: Lab;
  let ours: LabHost;
  const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };

  beforeAll(async () => {
    lab = await startLab({ count: 2, dir: path.join(work, 'lab') });
    const [mine, theirs] = lab.hosts;
    ours = mine;
    for (const [file, h] of [['ours.json', mine], ['theirs.json', theirs]] as const) {
      writeFileSync(path.join(work, file), JSON.stringify({ all: { hosts: { lab: labHostVars(lab, h) } } }));
    }
    writeFileSync(path.join(work, 'play.yml'), PLAY);
    writeFileSync(path.join(work, 'check.yml'), CHECK);
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function both(pb: string, flags: string[] = []): Promise<{ mine: CliRun; ref?: CliRun }> {
    const mine = await runRackplay(['-i', 'ours.json', pb, ...flags], { cwd: work, env, timeoutMs: 200_000 });
    if (!haveAnsiblePlaybook) return { mine };
    const ref = await runCommand('ansible-playbook', ['-i', 'theirs.json', pb, ...flags], { cwd: work, env, timeoutMs: 200_000 });
    return { mine, ref };
  }

  it('polls, fires and forgets, reads, cleans up and times out as Ansible does', async () => {
    const { mine, ref } = await both('play.yml');
    expect(mine.code, mine.stdout + mine.stderr).toBe(0);
    const out = mine.stdout;
    expect(out).toContain('"msg": "a 1 1 0 hi err True True True True"');
    expect(out).toContain('"msg": "a file removed True"');
    expect(out).toContain('"msg": "b 1 0 True False True"');
    expect(out).toContain(`"msg": "c 1 0 ['sleep', '2'] True True"`);
    expect(out).toContain(`"msg": "file ['sleep', '2'] 0"`);
    expect(out).toContain('"msg": "d True 0 0"');
    expect(out).toContain('"msg": "e could not find job 1"');
    expect(out).toContain('"msg": "f async task did not complete within the requested time - 2s 0"');
    expect(out).toContain('"msg": "g 3 non-zero return code out 1"');
    expect(out).toContain('"msg": "h True 1 0750"');
    expect(out).toContain('"msg": "j True line added"');
    expect(out).toContain('"msg": "n deploy True"');
    expect(parseRecap(out).lab).toMatchObject({ failed: 0, ignored: 3 });
    // Ansible's async callback lines
    expect(out).toMatch(/^ASYNC OK on lab: jid=j\d+\.\d+$/m);
    expect(out).toMatch(/^ASYNC POLL on lab: jid=j\d+\.\d+ started=1 finished=0$/m);
    expect(out).toMatch(/^ASYNC FAILED on lab: jid=j\d+\.\d+$/m);
    expect((await hostShell(ours, 'cat /tmp/rackplay-async-dir/conf')).stdout).toBe('key=value\n');
    // the job past its time is killed by the runner a little later; nothing of the runner's stays
    const leftovers = await hostShell(ours, 'sleep 9; ls -A /root/.ansible_async | grep -v "^j[0-9]*[.][0-9]*$" | wc -l');
    expect(leftovers.stdout.trim()).toBe('0');
    if (ref) expectSameRun({ ours: mine, theirs: ref });
  });

  it('refuses async in check mode, and async_status skips', async () => {
    const { mine, ref } = await both('check.yml', ['--check']);
    expect(mine.code, mine.stdout + mine.stderr).toBe(0);
    expect(mine.stdout).toContain('"msg": "k check mode and async cannot be used on same task."');
    expect(mine.stdout).toContain('"msg": "s True 1 remote module (ansible.legacy.async_status) does not support check mode"');
    if (ref) expectSameRun({ ours: mine, theirs: ref });
  });
});

describe('ad-hoc -B/-P with a local connection', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-async-adhoc-'));
  writeFileSync(path.join(dir, 'inv.ini'), 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // the jobs' files go to the scratch directory, for both tools
  const jobs = { ANSIBLE_NOCOLOR: '1', ANSIBLE_ASYNC_DIR: path.join(dir, 'jobs') };
  // what differs from run to run: the job id, its file, the times
  const stable = (out: string) => out.split('\n').filter((l) => !/"(ansible_job_id|results_file|start|end|delta)"/.test(l)).join('\n');
  const cases: [string, string[]][] = [
    ['polled', ['-B', '10', '-P', '1', '-a', 'echo hi']],
    ['fire and forget', ['-B', '10', '-P', '0', '-a', 'sleep 1']],
  ];

  it.each(cases)('%s: the module runs in the background', async (_name, args) => {
    const mine = await runRackplay(['adhoc', 'h1', '-i', 'inv.ini', ...args], { cwd: dir, env: jobs });
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toContain(`"results_file": "${path.join(dir, 'jobs')}/j`);
    expect(mine.stdout).toMatch(/^h1 \| CHANGED => \{$/m);
    expect(mine.stdout).toMatch(/"ansible_job_id": "j\d+\.\d+"/);
    expect(mine.stdout).toContain(args[3] === '0' ? '"finished": 0' : '"stdout": "hi"');
  });

  it.skipIf(!haveAnsiblePlaybook).each(cases)('%s: the same as ansible (needs ansible: apt-get install ansible)', async (_name, args) => {
    const mine = await runRackplay(['adhoc', 'h1', '-i', 'inv.ini', ...args], { cwd: dir, env: jobs });
    const ref = await runCommand('ansible', ['h1', '-i', 'inv.ini', ...args], { cwd: dir, env: jobs });
    expect(mine.code).toBe(ref.code);
    expect(stable(mine.stdout)).toBe(stable(ref.stdout));
  });
});

// Probe batching over SSH, through the CLI: a no-op re-run sends the probes of a
// straight run of planned tasks in one exec per host, and a task that changes the host, or
// depends on a registered result, never sees a probe taken before it.
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostShell, startLab, type Lab } from '../lab/lab.js';
import { rackplay, workDir, writeFiles, writeInventory } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

let lab: Lab;
const root = path.join(os.tmpdir(), `rackplay-probe-batch-${process.pid}`);

beforeAll(async () => {
  lab = await startLab({ count: 3, dir: path.join(root, 'lab'), namePrefix: 'pb' });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A work directory with an inventory of the lab's hosts. */
function labDir(name: string) {
  const dir = workDir(root, name);
  return { dir, inv: writeInventory(dir, lab, lab.hosts) };
}
/** The head of a playbook's one play: every lab host, no facts. */
const PLAY_ON_ALL = `
- hosts: all
  gather_facts: false`;

interface ExecStats {
  hosts: number;
  execs: number;
  puts: number;
}

async function runWithStats(dir: string, args: string[]) {
  const statsFile = path.join(dir, `stats-${Date.now()}-${Math.random()}.json`);
  const run = await rackplay(args, { cwd: dir, env: { RACKPLAY_STATS_FILE: statsFile } });
  const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as ExecStats;
  return { run, stats };
}

const TEN_TASKS = (gather: boolean) => `
- hosts: all
  gather_facts: ${gather}
  tasks:
    - file: { path: /srv/pb, state: directory, mode: "0755" }
    - copy: { content: "one {{ inventory_hostname }}\\n", dest: /srv/pb/one.txt }
    - copy: { src: static.txt, dest: /srv/pb/static.txt, mode: "0640" }
    - template: { src: conf.j2, dest: /srv/pb/app.conf }
    - lineinfile: { path: /srv/pb/extra.conf, line: "debug=false", create: true }
    - blockinfile: { path: /srv/pb/extra.conf, block: "a=1\\nb=2" }
    - command: { cmd: "touch /srv/pb/made", creates: /srv/pb/made }
    - shell: { cmd: "rm -f /srv/pb/never", removes: /srv/pb/never }
    - lineinfile: { path: /srv/pb/extra.conf, line: "trace=false" }
    - debug: { msg: "the lookahead goes past debug and assert" }
    - replace: { path: /srv/pb/one.txt, regexp: "^zzz$", replace: "yyy" }
    - file: { src: /srv/pb/app.conf, dest: /srv/pb/link.conf, state: link }
    - file: { path: /srv/pb/data, state: directory, mode: "0700" }
    - stat: { path: /srv/pb/app.conf }
`;

describe('probe batching', () => {
  it('a no-op re-run of 12 planned tasks, a command with creates, a shell with removes (and a debug) costs one exec per host (plus facts when gathered)', async () => {
    const dir = workDir(root, 'noop');
    const inv = writeInventory(dir, lab, lab.hosts);
    writeFiles(dir, {
      'site.yml': TEN_TASKS(false),
      'facts.yml': TEN_TASKS(true),
      'files/static.txt': 'static\n',
      'templates/conf.j2': 'host={{ inventory_hostname }}\n',
    });
    const first = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(first.run.code, first.run.stdout + first.run.stderr).toBe(0);
    for (const h of lab.hosts) expect(first.run.recap[h.name]).toMatchObject({ ok: 14, changed: 10, failed: 0 });
    const h1 = lab.hosts[1];
    const files = await hostShell(h1, 'cat /srv/pb/one.txt /srv/pb/app.conf /srv/pb/extra.conf; stat -c %a /srv/pb/static.txt /srv/pb/data /srv/pb/made');
    expect(files.stdout).toBe(`one ${h1.name}\nhost=${h1.name}\ndebug=false\n# BEGIN ANSIBLE MANAGED BLOCK\na=1\nb=2\n# END ANSIBLE MANAGED BLOCK\ntrace=false\n640\n700\n644\n`);

    const again = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(again.run.code, again.run.stdout + again.run.stderr).toBe(0);
    for (const h of lab.hosts) expect(again.run.recap[h.name]).toMatchObject({ ok: 14, changed: 0, failed: 0 });
    expect(again.stats.hosts).toBe(3);
    expect(again.stats.execs).toBeLessThanOrEqual(3);
    expect(again.stats.puts).toBe(0);

    const withFacts = await runWithStats(dir, ['facts.yml', '-i', inv]);
    expect(withFacts.run.code, withFacts.run.stdout + withFacts.run.stderr).toBe(0);
    for (const h of lab.hosts) expect(withFacts.run.recap[h.name]).toMatchObject({ ok: 15, changed: 0, failed: 0 });
    expect(withFacts.stats.execs).toBeLessThanOrEqual(6);

    // Check mode predicts from the same probes: nothing to change, nothing written.
    const check = await runWithStats(dir, ['site.yml', '-i', inv, '--check']);
    for (const h of lab.hosts) expect(check.run.recap[h.name]).toMatchObject({ ok: 14, changed: 0, failed: 0 });
    expect(check.stats.execs).toBeLessThanOrEqual(3);

    // The batched creates test is this run's: a host that lost the file runs the command.
    const h0 = lab.hosts[0];
    await hostShell(h0, 'rm /srv/pb/made');
    const rerun = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(rerun.run.recap[h0.name]).toMatchObject({ ok: 14, changed: 1, failed: 0 });
    for (const h of lab.hosts.slice(1)) expect(rerun.run.recap[h.name]).toMatchObject({ ok: 14, changed: 0 });
    expect((await hostShell(h0, 'test -e /srv/pb/made && echo there')).stdout).toBe('there\n');
  });

  it('a no-op re-run of loops (items of one task, loops after plain tasks, with_ forms, a when per item) costs one exec per host; a changed item is seen by the next', async () => {
    const { dir, inv } = labDir('loops');
    writeFiles(dir, {
      'site.yml': `${PLAY_ON_ALL}
  vars:
    names: [a, b, c, d, e, f]
  tasks:
    - file: { path: /srv/lp, state: directory }
    - file: { path: "/srv/lp/{{ item }}", state: directory }
      loop: "{{ names }}"
    - copy: { content: "{{ item }}\\n", dest: "/srv/lp/{{ item }}/f.txt" }
      loop: "{{ names }}"
    - lineinfile: { path: /srv/lp/all.txt, line: "{{ item.key }}={{ item.value }}", create: true }
      with_dict: { x: 1, y: 2 }
    - file: { path: "/srv/lp/{{ item }}/only-even", state: touch, modification_time: preserve, access_time: preserve }
      loop: [0, 1, 2, 3]
      when: item is even
    - lineinfile: { path: /srv/lp/all.txt, line: "{{ item }}" }
      loop: [same, same]
`,
    });
    for (const h of lab.hosts) await hostShell(h, 'mkdir -p /srv/lp/0 /srv/lp/2');
    const first = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(first.run.code, first.run.stdout + first.run.stderr).toBe(0);
    // the second "same" item sees the line the first one added
    expect(first.run.stdout).toMatch(/TASK \[lineinfile\][\s\S]*changed: \[pb\d+\] => \(item=same\)\nok: \[pb\d+\] => \(item=same\)/);
    const again = await runWithStats(dir, ['site.yml', '-i', inv]);
    for (const h of lab.hosts) expect(again.run.recap[h.name]).toMatchObject({ changed: 0, failed: 0 });
    expect(again.stats.execs).toBe(3);
    const check = await runWithStats(dir, ['site.yml', '-i', inv, '--check']);
    for (const h of lab.hosts) expect(check.run.recap[h.name]).toMatchObject({ changed: 0, failed: 0 });
    expect(check.stats.execs).toBe(3);
    // drift in one item: that item changes, the others stay ok
    await hostShell(lab.hosts[0], 'echo drift > /srv/lp/c/f.txt');
    const fix = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(fix.run.recap[lab.hosts[0].name]).toMatchObject({ changed: 1, failed: 0 });
    expect((await hostShell(lab.hosts[0], 'cat /srv/lp/c/f.txt')).stdout).toBe('c\n');
  });

  it("handlers' probes go in one exec per host, and a handler that writes is seen by the next", async () => {
    const { dir, inv } = labDir('handlers');
    writeFiles(dir, {
      'site.yml': `${PLAY_ON_ALL}
  tasks:
    - command: "true"
      changed_when: true
      notify: [dir, content, line, mode]
  handlers:
    - name: dir
      file: { path: /srv/hd, state: directory }
    - name: content
      copy: { content: "x\\ny\\n", dest: /srv/hd/x.txt }
    - name: line
      lineinfile: { path: /srv/hd/x.txt, line: "y" }
    - name: mode
      file: { path: /srv/hd/x.txt, mode: "0640" }
`,
    });
    const first = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(first.run.code, first.run.stdout + first.run.stderr).toBe(0);
    // each handler saw what the one before it wrote (lineinfile without create fails on a missing file)
    for (const h of lab.hosts) expect((await hostShell(h, 'cat /srv/hd/x.txt; stat -c %a /srv/hd/x.txt')).stdout).toBe('x\ny\n640\n');
    // The task always changes, so the four handlers always run: one exec for the command,
    // one for the four handlers' probes (four before handlers were batched).
    const again = await runWithStats(dir, ['site.yml', '-i', inv]);
    for (const h of lab.hosts) expect(again.run.recap[h.name]).toMatchObject({ ok: 5, changed: 1, failed: 0 });
    expect(again.stats.execs).toBe(2 * lab.hosts.length);
  });

  it('predicts set_fact from what is known, so the tasks using its names batch; a wrong guess (an -e override) only costs a probe', async () => {
    const { dir, inv } = labDir('set-fact');
    writeFiles(dir, {
      'site.yml': `${PLAY_ON_ALL}
  vars: { base: /srv/sf, again: true }
  tasks:
    - file: { path: "{{ base }}", state: directory }
    - set_fact: { target: "{{ base }}/a.txt" }
    - copy: { content: "a\\n", dest: "{{ target }}" }
    - set_fact: { target: "{{ base }}/b.txt" }
      when: again
    - copy: { content: "b\\n", dest: "{{ target }}" }
`,
    });
    const first = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(first.run.code, first.run.stdout + first.run.stderr).toBe(0);
    for (const h of lab.hosts) expect((await hostShell(h, 'cat /srv/sf/a.txt /srv/sf/b.txt')).stdout).toBe('a\nb\n');
    const again = await runWithStats(dir, ['site.yml', '-i', inv]);
    for (const h of lab.hosts) expect(again.run.recap[h.name]).toMatchObject({ changed: 0, failed: 0 });
    // one batch per host (three per host when set_fact's names stopped the lookahead)
    expect(again.stats.execs).toBe(lab.hosts.length);
    // -e outranks set_fact: both copies write e.txt, the second last, whatever was predicted
    const override = await runWithStats(dir, ['site.yml', '-i', inv, '-e', 'target=/srv/sf/e.txt']);
    for (const h of lab.hosts) expect(override.run.recap[h.name]).toMatchObject({ changed: 2, failed: 0 });
    for (const h of lab.hosts) expect((await hostShell(h, 'cat /srv/sf/e.txt')).stdout).toBe('b\n');
  });

  it("batches the probe of a task whose unknown names feed only arguments the probe does not read (lineinfile's line from a slurp), and the first check of a wait_for", async () => {
    const { dir, inv } = labDir('unknown-names');
    writeFiles(dir, {
      'site.yml': `${PLAY_ON_ALL}
  tasks:
    - file: { path: /srv/uk, state: directory }
    - wait_for: { path: /srv/uk/rc, timeout: 30 }
    - slurp: { src: /srv/uk/rc }
      register: rc
    - name: record the status
      lineinfile: { path: /srv/uk/seen.txt, regexp: "^rc=", line: "rc={{ rc.content | b64decode | trim }}", create: true }
    - copy: { content: "last\\n", dest: /srv/uk/last }
`,
      // The first check finds the file missing: wait_for checks again until it appears.
      'late.yml': `${PLAY_ON_ALL}
  tasks:
    - shell: (sleep 2; touch /srv/uk/late) > /dev/null 2>&1 &
    - wait_for: { path: /srv/uk/late, timeout: 30 }
      register: waited
    - copy: { content: "after\\n", dest: /srv/uk/after }
`,
    });
    for (const h of lab.hosts) await hostShell(h, 'rm -rf /srv/uk; mkdir -p /srv/uk; echo 3 > /srv/uk/rc');
    const first = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(first.run.code, first.run.stdout + first.run.stderr).toBe(0);
    const again = await runWithStats(dir, ['site.yml', '-i', inv]);
    for (const h of lab.hosts) expect(again.run.recap[h.name]).toMatchObject({ ok: 5, changed: 0, failed: 0 });
    // One batch per host: four when wait_for and the lineinfile waiting for `rc` each ended one.
    expect(again.stats.execs).toBe(lab.hosts.length);
    // The status changes on one host: its lineinfile sees the new value, the others stay.
    const [changedHost, ...rest] = lab.hosts;
    await hostShell(changedHost, 'echo 5 > /srv/uk/rc');
    const third = await runWithStats(dir, ['site.yml', '-i', inv]);
    expect(third.run.recap[changedHost.name]).toMatchObject({ changed: 1, failed: 0 });
    for (const h of rest) expect(third.run.recap[h.name]).toMatchObject({ changed: 0, failed: 0 });
    expect((await hostShell(changedHost, 'cat /srv/uk/seen.txt')).stdout).toBe('rc=5\n');
    for (const h of rest) expect((await hostShell(h, 'cat /srv/uk/seen.txt')).stdout).toBe('rc=3\n');

    const late = await rackplay(['late.yml', '-i', inv], { cwd: dir });
    expect(late.code, late.stdout + late.stderr).toBe(0);
    for (const h of lab.hosts) {
      expect(late.recap[h.name]).toMatchObject({ ok: 3, changed: 2, failed: 0 });
      expect((await hostShell(h, 'ls /srv/uk/late /srv/uk/after')).stdout).toBe('/srv/uk/after\n/srv/uk/late\n');
    }
  });

  it('a task that changes a file invalidates the probes taken for the tasks after it', async () => {
    const { dir, inv } = labDir('stale');
    writeFiles(dir, {
      'site.yml': `${PLAY_ON_ALL}
  tasks:
    - name: write A
      copy: { content: "alpha\\nbeta\\n", dest: /srv/stale.txt }
    - name: beta is in A already
      lineinfile: { path: /srv/stale.txt, line: beta }
    - name: gamma is not
      lineinfile: { path: /srv/stale.txt, line: gamma }
    - name: same content again
      copy: { content: "alpha\\nbeta\\ngamma\\n", dest: /srv/stale.txt }
`,
    });
    for (const h of lab.hosts) await hostShell(h, 'printf "old\\n" > /srv/stale.txt');

    // --check: predictions against the unchanged file, as Ansible makes them: the copy
    // would change it, beta and gamma would be added to "old", and the last copy differs.
    const check = await rackplay(['site.yml', '-i', inv, '--check'], { cwd: dir });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    for (const h of lab.hosts) expect(check.recap[h.name]).toMatchObject({ ok: 4, changed: 4 });
    expect((await hostShell(lab.hosts[0], 'cat /srv/stale.txt')).stdout).toBe('old\n');

    const run = await rackplay(['site.yml', '-i', inv], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // Stale probes would have seen "old": beta added (changed) and the last copy changed.
    for (const h of lab.hosts) expect(run.recap[h.name]).toMatchObject({ ok: 4, changed: 2, failed: 0 });
    expect(run.stdout).toMatch(/TASK \[beta is in A already\][^\n]*\n(ok: \[[^\]]+\]\n){3}/);
    for (const h of lab.hosts) expect((await hostShell(h, 'cat /srv/stale.txt')).stdout).toBe('alpha\nbeta\ngamma\n');
  });

  it('a task that uses an earlier registered result gets that result, and a lookup is never rendered for a prediction', async () => {
    const { dir, inv } = labDir('register');
    writeFiles(dir, {
      'site.yml': `${PLAY_ON_ALL}
  tasks:
    - name: look at the marker
      stat: { path: /srv/marker }
      register: st
    - name: record what was seen
      lineinfile: { path: /srv/seen.txt, line: "exists={{ st.stat.exists }}", create: true }
    - name: only when the marker exists
      copy: { content: "marker was there\\n", dest: /srv/when-true.txt }
      when: st.stat.exists
    - name: only when it does not
      copy: { content: "no marker\\n", dest: /srv/when-false.txt }
      when: not st.stat.exists
`,
      // A lookup runs on the controller when rendered (pipe: a command): a prediction must
      // not render it. The lookahead of the first task would reach it.
      'lookup.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: nothing to do
      file: { path: /srv, state: directory }
    - name: a lookup is rendered once per host, never for a prediction
      copy: { content: "{{ lookup('pipe', 'echo run >> ' ~ playbook_dir ~ '/pipe-count.txt; echo piped') }}", dest: /srv/piped.txt }
`,
    });
    const [withMarker, ...without] = lab.hosts;
    await hostShell(withMarker, 'touch /srv/marker');
    for (const h of without) await hostShell(h, 'rm -f /srv/marker');
    const run = await rackplay(['site.yml', '-i', inv], { cwd: dir });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.recap[withMarker.name]).toMatchObject({ ok: 3, changed: 2, skipped: 1 });
    const a = await hostShell(withMarker, 'cat /srv/seen.txt /srv/when-true.txt; test -e /srv/when-false.txt; echo $?');
    expect(a.stdout).toBe('exists=True\nmarker was there\n1\n');
    for (const h of without) {
      expect(run.recap[h.name]).toMatchObject({ ok: 3, changed: 2, skipped: 1 });
      const b = await hostShell(h, 'cat /srv/seen.txt /srv/when-false.txt; test -e /srv/when-true.txt; echo $?');
      expect(b.stdout).toBe('exists=False\nno marker\n1\n');
    }

    const lookup = await rackplay(['lookup.yml', '-i', inv], { cwd: dir });
    expect(lookup.code, lookup.stdout + lookup.stderr).toBe(0);
    for (const h of lab.hosts) expect(lookup.recap[h.name]).toMatchObject({ ok: 2, changed: 1 });
    expect(readFileSync(path.join(dir, 'pipe-count.txt'), 'utf8')).toBe('run\n'.repeat(3));
  });
});

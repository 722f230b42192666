// The engine over SSH on a 20-host lab, through the CLI: one connection per host for a
// whole run, idempotent re-runs, serial batches, strategies, throttle, run_once,
// delegate_to, order and results streamed as they arrive.
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostShell, startLab, type Lab } from '../lab/lab.js';
import { acceptedLogins, lineAt, rackplay, re, resultIndex, sections, workDir, writeFiles, writeInventory } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

let lab: Lab;
const root = path.join(os.tmpdir(), `rackplay-engine-rack-${process.pid}`);

beforeAll(async () => {
  lab = await startLab({ count: 20, dir: path.join(root, 'lab'), namePrefix: 'rack' });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

const SITE = `
- name: configure the rack
  hosts: all
  gather_facts: false
  vars:
    app_port: 8080
  tasks:
    - name: app dir
      file: { path: /srv/app, state: directory, mode: "0755" }
    - name: static file
      copy: { src: static.txt, dest: /srv/app/static.txt, mode: "0644" }
    - name: per-host content
      copy: { content: "hello {{ inventory_hostname }}\\n", dest: /srv/app/hello.txt }
    - name: config from template
      template: { src: app.conf.j2, dest: /srv/app/app.conf }
    - name: a line in another file
      lineinfile: { path: /srv/app/extra.conf, line: "debug=false", create: true }
    - name: stat the config
      stat: { path: /srv/app/app.conf }
      register: st
    - name: read back
      command: cat /srv/app/hello.txt
      register: hello
      changed_when: false
    - name: check what was read
      assert:
        that:
          - st.stat.exists
          - hello.stdout == 'hello ' ~ inventory_hostname
    - name: symlink
      file: { src: /srv/app/app.conf, dest: /srv/app/link.conf, state: link }
    - name: data dir
      file: { path: /srv/app/data, state: directory }
`;

describe('20 hosts in parallel', () => {
  it('runs a playbook with one SSH connection per host, and the re-run changes nothing', async () => {
    const dir = workDir(root, 'site');
    writeFiles(dir, { 'site.yml': SITE, 'files/static.txt': 'static content\n', 'templates/app.conf.j2': '# for {{ inventory_hostname }}\nport={{ app_port }}\n' });
    // The lab's own inventory: host keys are checked against the lab's known_hosts.
    const before = lab.hosts.map(acceptedLogins);
    const first = await rackplay(['site.yml', '-i', lab.inventoryPath], { cwd: dir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(Object.keys(first.recap)).toHaveLength(20);
    for (const h of lab.hosts) expect(first.recap[h.name]).toMatchObject({ ok: 10, changed: 7, failed: 0, unreachable: 0 });
    // Exactly one login per host for the whole run, counted by each sshd.
    expect(lab.hosts.map(acceptedLogins).map((n, i) => n - before[i])).toEqual(lab.hosts.map(() => 1));

    const h7 = lab.hosts[6];
    const files = await hostShell(h7, 'cat /srv/app/hello.txt /srv/app/app.conf /srv/app/extra.conf; readlink /srv/app/link.conf; stat -c %a /srv/app/static.txt');
    expect(files.stdout).toBe(`hello ${h7.name}\n# for ${h7.name}\nport=8080\ndebug=false\n/srv/app/app.conf\n644\n`);

    const again = await rackplay(['site.yml', '-i', lab.inventoryPath], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    for (const h of lab.hosts) expect(again.recap[h.name]).toMatchObject({ ok: 10, changed: 0, failed: 0, unreachable: 0 });
    expect(lab.hosts.map(acceptedLogins).map((n, i) => n - before[i])).toEqual(lab.hosts.map(() => 2));
    // Performance sanity, not a timed assertion: logged for the report.
    console.log(`[perf] 20-host no-op re-run of a 10-task playbook: ${again.wallMs} ms wall`);
  });
});

describe('serial', () => {
  const play = (serial: string) => `
- name: batched
  hosts: all
  gather_facts: false
  serial: ${serial}
  tasks:
    - name: mark
      command: "true"
`;
  const batchesOf = (stdout: string) => sections(stdout).filter((s) => s.title.startsWith('TASK [mark]')).map((s) => s.hosts.sort());
  const names = () => lab.hosts.slice(0, 7).map((h) => h.name);

  it('serial: 3 runs the play in batches of 3, each under its own PLAY banner', async () => {
    const dir = workDir(root, 'serial3');
    writeFiles(dir, { 'pb.yml': play('3') });
    const inv = writeInventory(dir, lab, lab.hosts.slice(0, 7));
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout.match(/^PLAY \[batched\]/gm)).toHaveLength(3);
    const n = names();
    expect(batchesOf(r.stdout)).toEqual([n.slice(0, 3), n.slice(3, 6), n.slice(6)]);
  });

  it('serial: "50%" and the list form [1, 2, "50%"] (the last size repeats)', async () => {
    const dir = workDir(root, 'serialpct');
    writeFiles(dir, { 'pct.yml': play('"50%"'), 'list.yml': play('[1, 2, "50%"]') });
    const inv = writeInventory(dir, lab, lab.hosts.slice(0, 7));
    const n = names();
    const pct = await rackplay(['pct.yml', '-i', inv], { cwd: dir });
    expect(pct.code, pct.stdout).toBe(0);
    // 50% of 7 hosts is 3 (rounded down): 3, 3, 1.
    expect(batchesOf(pct.stdout)).toEqual([n.slice(0, 3), n.slice(3, 6), n.slice(6)]);
    const list = await rackplay(['list.yml', '-i', inv], { cwd: dir });
    expect(list.code, list.stdout).toBe(0);
    expect(batchesOf(list.stdout)).toEqual([n.slice(0, 1), n.slice(1, 3), n.slice(3, 6), n.slice(6)]);
  });

  it('a later batch starts only after the earlier batch finished every task', async () => {
    const dir = workDir(root, 'serialorder');
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - name: one
      command: "true"
    - name: two
      command: "true"
`,
    });
    const inv = writeInventory(dir, lab, lab.hosts.slice(0, 4));
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code).toBe(0);
    const titles = sections(r.stdout).map((s) => `${s.title.split(' [')[0]}:${s.hosts.length}`);
    expect(titles).toEqual(['PLAY:0', 'TASK:2', 'TASK:2', 'PLAY:0', 'TASK:2', 'TASK:2']);
  });
});

describe('strategies and task keywords', () => {
  const [fast1, fast2, slow] = [0, 1, 2];

  it('results stream as they arrive: a fast host is printed while a slow one still runs', async () => {
    const dir = workDir(root, 'stream');
    const hosts = [lab.hosts[fast1], lab.hosts[slow]];
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: sleepy
      command: "sleep {{ 3 if inventory_hostname == '${lab.hosts[slow].name}' else 0 }}"
`,
    });
    const inv = writeInventory(dir, lab, hosts);
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    const fastLine = lineAt(r, new RegExp(`^changed: \\[${lab.hosts[fast1].name}\\]`))!;
    const slowLine = lineAt(r, new RegExp(`^changed: \\[${lab.hosts[slow].name}\\]`))!;
    expect(fastLine.t).toBeLessThan(slowLine.t - 2000);
  });

  const freePlay = (strategy: string) => `
- hosts: all
  gather_facts: false
  strategy: ${strategy}
  tasks:
    - name: step one
      command: "sleep {{ 3 if inventory_hostname == '${lab.hosts[slow].name}' else 0 }}"
      notify: bump
    - name: step two
      command: "true"
    - meta: flush_handlers
    - name: step three
      command: "true"
  handlers:
    - name: bump
      command: "touch /tmp/handler-ran"
`;

  it('strategy: free lets fast hosts finish the play while a slow host is still on its first task', async () => {
    const dir = workDir(root, 'free');
    writeFiles(dir, { 'free.yml': freePlay('free'), 'linear.yml': freePlay('linear') });
    const hosts = [lab.hosts[fast1], lab.hosts[fast2], lab.hosts[slow]];
    const inv = writeInventory(dir, lab, hosts);
    const r = await rackplay(['free.yml', '-i', inv], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    const slowStepOne = resultIndex(r, 'TASK [step one]', lab.hosts[slow].name);
    expect(slowStepOne).toBeGreaterThan(-1);
    for (const f of [fast1, fast2]) {
      // Fast hosts ran step three (after their own handler flush) before the slow host's first result.
      const fastStepThree = resultIndex(r, 'TASK [step three]', lab.hosts[f].name);
      const fastHandler = resultIndex(r, 'RUNNING HANDLER [bump]', lab.hosts[f].name);
      expect(fastHandler).toBeGreaterThan(-1);
      expect(fastHandler).toBeLessThan(fastStepThree);
      expect(fastStepThree).toBeLessThan(slowStepOne);
    }
    // Every host ran its handler, once, at its own flush point (3 tasks + the handler).
    for (const h of hosts) expect(r.recap[h.name]).toMatchObject({ ok: 4, changed: 4, failed: 0 });
    for (const h of hosts) expect((await hostShell(h, 'ls /tmp/handler-ran')).rc).toBe(0);

    // The same play with the linear strategy: nobody gets past step one before the slow host.
    const lin = await rackplay(['linear.yml', '-i', inv], { cwd: dir });
    expect(lin.code).toBe(0);
    const titles = sections(lin.stdout).map((s) => s.title);
    expect(titles.filter((t) => t === 'TASK [step one]')).toHaveLength(1);
    expect(sections(lin.stdout).find((s) => s.title === 'TASK [step one]')!.hosts.sort()).toEqual(hosts.map((h) => h.name).sort());
  });

  it('throttle caps how many hosts run one task at once, with the linear and the free strategy', async () => {
    const dir = workDir(root, 'throttle');
    const hosts = lab.hosts.slice(0, 6);
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: throttled
      shell: "date +%s%N > /tmp/t.start; sleep 1; date +%s%N > /tmp/t.end"
      throttle: 2
- hosts: all
  gather_facts: false
  strategy: free
  tasks:
    - name: throttled in free
      shell: "date +%s%N > /tmp/f.start; sleep 1; date +%s%N > /tmp/f.end"
      throttle: 3
`,
    });
    const inv = writeInventory(dir, lab, hosts);
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    const maxOverlap = async (prefix: string) => {
      const spans = await Promise.all(
        hosts.map(async (h) => {
          const out = (await hostShell(h, `cat /tmp/${prefix}.start /tmp/${prefix}.end`)).stdout.trim().split('\n').map(Number);
          return { start: out[0] / 1e6, end: out[1] / 1e6 };
        }),
      );
      return Math.max(...spans.map((s) => spans.filter((o) => o.start < s.end && o.end > s.start && o.start <= s.start).length));
    };
    expect(await maxOverlap('t')).toBe(2);
    expect(await maxOverlap('f')).toBe(3);
  });

  it('run_once runs on the first host and gives its result to all', async () => {
    const dir = workDir(root, 'runonce');
    const hosts = lab.hosts.slice(0, 4);
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: once
      command: hostname
      register: who
      run_once: true
    - name: show
      debug: { msg: "who={{ who.stdout }}" }
`,
    });
    const inv = writeInventory(dir, lab, hosts);
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(sections(r.stdout).find((s) => s.title === 'TASK [once]')!.hosts).toEqual([hosts[0].name]);
    expect(r.stdout.match(new RegExp(`"msg": "who=${re(hosts[0].name)}"`, 'g'))).toHaveLength(4);
  });

  it('delegate_to another inventory host reuses that host\'s connection', async () => {
    const dir = workDir(root, 'delegate');
    const hosts = lab.hosts.slice(0, 3);
    const target = hosts[2];
    writeFiles(dir, {
      'pb.yml': `
- hosts: all
  gather_facts: false
  tasks:
    - name: own
      command: hostname
    - name: delegated
      command: hostname
      register: d
      delegate_to: ${target.name}
    - name: check
      assert: { that: ["d.stdout == '${target.name}'"] }
`,
    });
    const inv = writeInventory(dir, lab, hosts);
    const before = hosts.map(acceptedLogins);
    const r = await rackplay(['pb.yml', '-i', inv], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`changed: [${hosts[0].name} -> ${target.name}]`);
    // Three delegated tasks ran on the target over its one connection.
    expect(hosts.map(acceptedLogins).map((n, i) => n - before[i])).toEqual([1, 1, 1]);
  });

  it('order: sorted, reverse_sorted and reverse_inventory set the order hosts run in', async () => {
    const dir = workDir(root, 'order');
    const hosts = lab.hosts.slice(0, 4);
    const names = hosts.map((h) => h.name);
    const shuffled = [hosts[2], hosts[0], hosts[3], hosts[1]];
    writeFiles(dir, {
      'pb.yml': ['sorted', 'reverse_sorted', 'reverse_inventory', 'inventory']
        .map((order) => `
- name: ${order}
  hosts: all
  gather_facts: false
  order: ${order}
  tasks:
    - name: ${order} task
      command: "true"
`)
        .join(''),
    });
    const inv = writeInventory(dir, lab, shuffled);
    // One host at a time, so results come out in the order hosts were started.
    const r = await rackplay(['pb.yml', '-i', inv, '-f', '1'], { cwd: dir });
    expect(r.code, r.stdout).toBe(0);
    const of = (o: string) => sections(r.stdout).find((s) => s.title === `TASK [${o} task]`)!.hosts;
    const invOrder = shuffled.map((h) => h.name);
    expect(of('sorted')).toEqual([...names]);
    expect(of('reverse_sorted')).toEqual([...names].reverse());
    expect(of('inventory')).toEqual(invOrder);
    expect(of('reverse_inventory')).toEqual([...invOrder].reverse());
  });
});

// The engine over SSH on hosts like the howto's Scientific Linux 4.4 servers (the sl44 lab:
// bash 3.0-era tools, no sha256sum/base64, only a Python 2.3 that runs nothing): the file
// modules, stat, command and gathered facts work with nothing but the POSIX shell, host
// keys are checked against the lab's known_hosts, and a re-run changes nothing.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostShell, startLab, type Lab } from '../lab/lab.js';
import { acceptedLogins, rackplay, workDir, writeFiles } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;
const root = path.join(os.tmpdir(), `rackplay-engine-sl44-${process.pid}`);

const SITE = `
- name: configure the SL4.4 rack
  hosts: all
  gather_facts: true
  vars:
    app_port: 8080
  tasks:
    - name: app dir
      file: { path: /srv/app, state: directory, mode: "0755" }
    - name: static file
      copy: { src: static.txt, dest: /srv/app/static.txt, mode: "0640" }
    - name: per-host content
      copy: { content: "hello {{ inventory_hostname }}\\n", dest: /srv/app/hello.txt }
    - name: facts as the host saw them
      template: { src: facts.txt.j2, dest: /srv/app/facts.txt }
    - name: a line in a new file
      lineinfile: { path: /srv/app/app.conf, line: "debug=false", create: true, mode: "0644" }
    - name: the port line
      lineinfile: { path: /srv/app/app.conf, regexp: "^port=", line: "port={{ app_port }}" }
    - name: stat the facts file
      stat: { path: /srv/app/facts.txt }
      register: st
    - name: record what stat saw
      copy: { content: "{{ st.stat.checksum }} {{ st.stat.size }} {{ st.stat.mode }}\\n", dest: /srv/app/facts.stat }
    - name: read back
      command: cat /srv/app/hello.txt
      register: hello
      changed_when: false
    - name: a one-time marker
      command: touch /srv/app/marker
      args: { creates: /srv/app/marker }
    - name: check what was read
      assert:
        that:
          - st.stat.exists
          - hello.stdout == 'hello ' ~ inventory_hostname
    - name: symlink
      file: { src: /srv/app/app.conf, dest: /srv/app/link.conf, state: link }
`;

const FACTS_TEMPLATE = `distribution={{ ansible_distribution }}
version={{ ansible_distribution_version }}
major={{ ansible_distribution_major_version }}
os_family={{ ansible_os_family }}
architecture={{ ansible_architecture }}
kernel={{ ansible_kernel }}
vt_capable={{ rackplay_vt_capable }}
`;

describe.skipIf(!isRoot)('3 sl44 hosts over SSH (needs root for the lab)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ count: 3, flavor: 'sl44', dir: path.join(root, 'lab') });
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('the hosts have no usable Python: python3 fails, python is 2.3', async () => {
    for (const h of lab.hosts) {
      const py3 = await hostShell(h, 'python3 -c 1');
      expect(py3.rc, `${h.name}: python3 -c 1`).not.toBe(0);
      const py = await hostShell(h, 'python -V 2>&1');
      expect(py.stdout).toMatch(/^Python 2\.3\.\d+$/m);
      expect((await hostShell(h, 'command -v sha256sum || command -v base64')).rc).not.toBe(0);
    }
  });

  it('converges file/copy/lineinfile/template/stat/command with gathered facts, and re-runs clean', async () => {
    const dir = workDir(root, 'site');
    writeFiles(dir, { 'site.yml': SITE, 'files/static.txt': 'static content\n', 'templates/facts.txt.j2': FACTS_TEMPLATE });
    const before = lab.hosts.map(acceptedLogins);

    // The lab's own inventory: host keys are checked against the lab's known_hosts.
    const first = await rackplay(['site.yml', '-i', lab.inventoryPath], { cwd: dir });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    // 13 tasks with Gathering Facts; all but the command that reads, the stat and the assert change.
    for (const h of lab.hosts) expect(first.recap[h.name]).toMatchObject({ ok: 13, changed: 9, failed: 0, unreachable: 0, skipped: 0 });
    // One connection per host for the whole run, facts included.
    expect(lab.hosts.map(acceptedLogins).map((n, i) => n - before[i])).toEqual(lab.hosts.map(() => 1));

    for (const h of lab.hosts) {
      const facts = readFileSync(path.join(h.root, 'srv/app/facts.txt'), 'utf8');
      expect(facts).toBe(
        'distribution=Scientific\nversion=4.4\nmajor=4\nos_family=RedHat\narchitecture=x86_64\nkernel=2.6.9-42.ELsmp\nvt_capable=True\n',
      );
      // stat computed the checksum (sha1, as Ansible's) without sha256sum or Python.
      const sha1 = createHash('sha1').update(facts).digest('hex');
      expect(readFileSync(path.join(h.root, 'srv/app/facts.stat'), 'utf8')).toBe(`${sha1} ${Buffer.byteLength(facts)} 0644\n`);
      const files = await hostShell(h, 'cat /srv/app/hello.txt /srv/app/app.conf /srv/app/static.txt; readlink /srv/app/link.conf; stat -c %a /srv/app/static.txt /srv/app; test -f /srv/app/marker && echo marker');
      expect(files.stdout).toBe(`hello ${h.name}\ndebug=false\nport=8080\nstatic content\n/srv/app/app.conf\n640\n755\nmarker\n`);
    }

    const again = await rackplay(['site.yml', '-i', lab.inventoryPath], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    // As in Ansible, a command whose `creates` exists is not run and reports ok, unchanged.
    for (const h of lab.hosts) expect(again.recap[h.name]).toMatchObject({ ok: 13, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
    expect(again.stdout).toMatch(/TASK \[a one-time marker\][^\n]*\nok: \[node0\d\]/);
  });

  it('refuses a host whose key does not match the known_hosts', async () => {
    const dir = workDir(root, 'hostkeys');
    // node01's line carries node02's key: node01 must be refused, the others still run.
    const known = readFileSync(lab.knownHostsPath, 'utf8').trim().split('\n');
    const keyOf = (name: string) => {
      const h = lab.hosts.find((x) => x.name === name)!;
      const line = known.find((l) => l.split(' ')[0].split(',').some((p) => p === h.address || p === `[${h.address}]:${h.port}`))!;
      expect(line, `known_hosts line for ${name}`).toBeDefined();
      return line;
    };
    const node01 = keyOf('node01');
    const node02 = keyOf('node02');
    expect(node01.split(' ').slice(1)).not.toEqual(node02.split(' ').slice(1));
    const swapped = known.map((l) => (l === node01 ? [l.split(' ')[0], ...node02.split(' ').slice(1)].join(' ') : l));
    const badKnownHosts = path.join(dir, 'known_hosts');
    writeFileSync(badKnownHosts, swapped.join('\n') + '\n');
    const inventory = readFileSync(lab.inventoryPath, 'utf8').split(lab.knownHostsPath).join(badKnownHosts);
    expect(inventory).toContain(badKnownHosts);
    writeFileSync(path.join(dir, 'inventory.yml'), inventory);
    writeFiles(dir, { 'ping.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n' });

    const r = await rackplay(['ping.yml', '-i', 'inventory.yml'], { cwd: dir });
    expect(r.recap.node01).toMatchObject({ unreachable: 1, ok: 0 });
    for (const h of ['node02', 'node03']) expect(r.recap[h]).toMatchObject({ ok: 1, unreachable: 0, failed: 0 });
    expect(r.stdout).toMatch(/^fatal: \[node01\]: UNREACHABLE! .*Host key verification failed: the host key for 127\.\d+\.1\.1 has changed/m);
  });
});

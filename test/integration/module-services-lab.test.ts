// systemd, service, service_facts and hostname over real SSH on lab hosts. The systemd
// flavor's hosts run this machine's real systemd as PID 1 (test/lab/flavors/systemd.ts):
// systemctl, unit links and hostnamectl are the real thing, each host in its own
// namespaces and cgroup subtree. Each phase runs check → apply → apply → check; after the
// first check the host is as it was, after the applies it is read back with systemctl.
// With Debian's ansible-playbook each run also goes through it against a second host and
// must print the same task lines, recap and debug messages. The sl44 host (no systemd)
// shows the SysV side: service through chkconfig, service_facts from chkconfig, hostname
// in /etc/sysconfig/network, and systemd's failure naming the missing tool.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';
import { hostShell, labHostVars, startLab, type Lab, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;
const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };
const UNIT = 'rackplay-demo';
// ansible-core's own integration targets, as the compat harness extracts them
const TARGETS = path.join(repoRoot, '.cache/ansible-targets/v2.14.17/targets');
const STATE = `systemctl is-active ${UNIT}; systemctl is-enabled ${UNIT}; hostname; cat /etc/hostname`;

const PHASES: { name: string; tasks: string }[] = [
  {
    name: 'start',
    tasks: `
    - systemd: {name: ${UNIT}, state: started, enabled: true}
      register: r
    - debug: msg="{{ r.name }} {{ r.state }} {{ r.enabled }} {{ r.status.LoadState }} {{ r.status.UnitFileState }}"
    - service: {name: ${UNIT}, state: started, sleep: 1}
      register: s
    - debug: msg="{{ s.state }} {{ s.status.Id }}"
    - hostname: {name: web01.example.com}
      register: h
    - debug: msg="{{ h.name }} {{ h.ansible_facts.ansible_hostname }} {{ h.ansible_facts.ansible_nodename }}"
    - service_facts:
    - debug: msg="{{ ansible_facts.services['${UNIT}.service'] }}"`,
  },
  {
    name: 'stop-mask',
    tasks: `
    - systemd_service: {name: ${UNIT}, state: stopped, enabled: false}
      register: r
    - debug: msg="{{ r.state }} {{ r.enabled }} {{ r.status.ActiveState }}"
    - ansible.builtin.systemd: {name: ${UNIT}, masked: true}`,
  },
  {
    name: 'unmask',
    tasks: `
    - systemd: {name: ${UNIT}, masked: false, daemon_reload: true}
      register: r
    - debug: msg="{{ r.changed }} {{ r.status.LoadState }}"
    - systemd: {name: no-such-unit, state: started}
      register: missing
      ignore_errors: true
    - debug: msg="{{ missing.msg }}"`,
  },
];

describe.skipIf(!isRoot)(`systemd, service, service_facts, hostname on real systemd lab hosts (needs root; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  let ours: LabHost;
  const sh = (h: LabHost, cmd: string) => c.sh(h, cmd);

  beforeAll(async () => {
    c = await startLabCycle('services-lab', { flavor: 'systemd' });
    ours = c.ours;
  });
  afterAll(async () => c?.stop());

  const cycle = (phase: (typeof PHASES)[number]) => c.cycle(phase.name, phase.tasks.replace(/^\n/, ''), STATE);

  it('the lab host runs real systemd as PID 1', async () => {
    expect(await sh(ours, 'cat /proc/1/comm')).toBe('systemd\n');
    expect(await sh(ours, `systemctl show -p LoadState,UnitFileState ${UNIT}`)).toBe('LoadState=loaded\nUnitFileState=disabled\n');
  });

  it('starts and enables a unit, names the host: check changes nothing, apply does, then nothing to do', async () => {
    await cycle(PHASES[0]);
    expect(await sh(ours, STATE)).toBe('active\nenabled\nweb01.example.com\nweb01.example.com\n');
    expect(await sh(ours, `readlink /etc/systemd/system/multi-user.target.wants/${UNIT}.service`)).toBe(`/etc/systemd/system.attached/${UNIT}.service\n`);
  });

  it('stops, disables and masks it', async () => {
    await cycle(PHASES[1]);
    expect(await sh(ours, `systemctl is-active ${UNIT}; systemctl is-enabled ${UNIT}; readlink /etc/systemd/system/${UNIT}.service`)).toBe('inactive\nmasked\n/dev/null\n');
  });

  it('unmasks it with a daemon-reload, which alone changes nothing; a unit that is not there fails as in Ansible', async () => {
    await cycle(PHASES[2]);
    expect(await sh(ours, `systemctl is-enabled ${UNIT}`)).toBe('disabled\n');
  });

  // On this machine (no systemd) the compat harness's systemd target ends at its first
  // task; here it runs whole, on a host that systemd runs.
  it.skipIf(!existsSync(path.join(TARGETS, 'systemd')))("passes ansible-core's systemd target (skipped without the compat harness's extracted targets)", async () => {
    const { work, lab, theirs } = c;
    writeFileSync(path.join(work, 'target.yml'), '- hosts: all\n  roles: [systemd]\n');
    const targetEnv = { ...env, ANSIBLE_ROLES_PATH: TARGETS };
    const inv = (h: LabHost) => JSON.stringify({ all: { hosts: { lab: { ...labHostVars(lab, h), ansible_python_interpreter: '/usr/bin/python3' } } } });
    writeFileSync(path.join(work, 'ours-py.json'), inv(ours));
    writeFileSync(path.join(work, 'theirs-py.json'), inv(theirs));
    const mine = await runRackplay(['-i', 'ours-py.json', 'target.yml'], { cwd: work, env: targetEnv, timeoutMs: 240_000 });
    expect(mine.code, mine.stdout + mine.stderr).toBe(0);
    expect(parseRecap(mine.stdout).lab).toMatchObject({ failed: 0, unreachable: 0 });
    expect(mine.stdout).toContain('Enable indirect service 2');
    if (!haveAnsiblePlaybook) return;
    const ref = await runCommand('ansible-playbook', ['-i', 'theirs-py.json', 'target.yml'], { cwd: work, env: targetEnv, timeoutMs: 240_000 });
    expectSameRun({ ours: mine, theirs: ref });
  });
});

describe.skipIf(!isRoot)('service, service_facts, hostname and systemd on an SL 4.4 lab host (SysV, no systemd; needs root)', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-services-sl44-'));
  let lab: Lab;
  let host: LabHost;
  const sh = async (cmd: string) => (await hostShell(host, cmd)).stdout;

  beforeAll(async () => {
    lab = await startLab({ count: 1, flavor: 'sl44', dir: path.join(work, 'lab') });
    host = lab.hosts[0];
    writeFileSync(path.join(work, 'inv.json'), JSON.stringify({ all: { hosts: { lab: labHostVars(lab, host) } } }));
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const run = (pb: string, check = false) => runRackplay(['-i', 'inv.json', pb, ...(check ? ['--check'] : [])], { cwd: work, env, timeoutMs: 120_000 });

  it('sets HOSTNAME= in /etc/sysconfig/network and gathers SysV services: check → apply → apply → check', async () => {
    writeFileSync(
      path.join(work, 'pb.yml'),
      `- hosts: all\n  gather_facts: false\n  tasks:\n    - hostname: {name: web01.example.com}\n    - service_facts:\n    - debug: msg="{{ ansible_facts.services.sshd }}"\n`,
    );
    const before = await sh('cat /etc/sysconfig/network');
    const changes: number[] = [];
    for (const check of [true, false, false, true]) {
      const r = await run('pb.yml', check);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      changes.push(parseRecap(r.stdout).lab.changed);
      expect(r.stdout).toContain(`"msg": {\n        "name": "sshd",\n        "source": "sysv",\n        "state": "running",\n        "status": "enabled"\n    }`);
      if (changes.length === 1) expect(await sh('cat /etc/sysconfig/network')).toBe(before);
    }
    expect(changes).toEqual([1, 1, 0, 0]);
    expect(await sh('cat /etc/sysconfig/network')).toBe(before.replace(/^HOSTNAME=.*$/m, 'HOSTNAME=web01.example.com'));
    // Ansible's Red Hat strategy writes the file only; the live name stays until a boot
    expect(await sh('hostname')).toBe(`${host.name}\n`);
  });

  it('systemd fails naming systemctl and the host', async () => {
    writeFileSync(path.join(work, 'sd.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - systemd: {name: sshd, state: started}\n`);
    const r = await run('sd.yml');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/Failed to find required executable \\"systemctl\\" in paths: [^"]*\(host lab has no systemd\)/);
  });
});

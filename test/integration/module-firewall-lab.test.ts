// ufw and firewalld for real, each check → apply → apply (changed=0) → check, compared with
// ansible-playbook. Nothing here may touch this machine's own firewall:
//   - firewalld runs on plain lab hosts (each has its own /etc, a copy of this machine's
//     /etc/firewalld) with no D-Bus in reach, so both tools take the offline way and only
//     edit the zone files (firewall-offline-cmd and Ansible's offline module open no
//     netfilter socket and run no iptables/nft: checked with strace when this was written).
//   - ufw, even with the firewall disabled, probes netfilter when it writes a rule (its
//     "initcaps" test chain), and lab hosts share this machine's network namespace; so each
//     tool runs on a local connection in a network namespace of the test's own (held open by
//     an `unshare --net sleep` for the whole test, so ufw's rules persist from run to run), in
//     a mount namespace with a private copy of /etc/ufw bound over it. There `state: enabled`,
//     reload and default policies run for real. `iptables -S` of this machine is compared
//     before and after, to prove it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, rackplayBin, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const isRoot = process.getuid?.() === 0;
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const haveFirewalld = have('firewall-offline-cmd') && spawnSync('/usr/bin/python3', ['-c', 'import firewall.config'], { stdio: 'ignore' }).status === 0;
const haveUfw = have('ufw') && have('unshare') && have('iptables');

/** A zone as firewall-offline-cmd lists it, without `forward:` (Ansible's offline writer drops that element, the tool keeps it). */
const listZone = (zone: string) => `firewall-offline-cmd --zone=${zone} --list-all | grep -v '^  forward:'`;

describe.skipIf(!isRoot || !haveFirewalld)(
  `firewalld offline on lab hosts (needs root for the lab, firewalld and python3-firewall: Debian packages firewalld; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`,
  () => {
    let c: LabCycle;
    beforeAll(async () => {
      c = await startLabCycle('firewalld-lab');
      for (const h of c.lab.hosts) cpSync('/etc/firewalld', path.join(h.root, 'etc/firewalld'), { recursive: true });
    });
    afterAll(async () => c?.stop());

    const ZONES = 'for z in public trusted internal external rplab; do firewall-offline-cmd --zone=$z --list-all 2>&1; done';

    it('adds a service, port, rich rule, source, interface, ICMP block and masquerade, and a new zone with a target', async () => {
      // the hosts have no D-Bus: the daemon cannot answer, so both tools work offline
      expect((await c.sh(c.ours, 'test -e /run/dbus/system_bus_socket && echo bus')).trim()).toBe('');
      const rule = 'rule family="ipv4" source address="192.168.0.0/24" service name="ssh" accept';
      const runs = await c.cycle(
        'firewalld-add',
        `    - ansible.posix.firewalld: {service: http, permanent: true, state: enabled}
      register: svc
    - ansible.posix.firewalld: {port: 8080/tcp, zone: public, permanent: true, state: enabled}
    - ansible.posix.firewalld: {rich_rule: '${rule}', zone: public, permanent: true, state: enabled}
    - ansible.posix.firewalld: {source: 10.1.0.0/16, zone: trusted, permanent: true, state: enabled}
    - ansible.posix.firewalld: {interface: eth9, zone: internal, permanent: true, state: enabled}
    - ansible.posix.firewalld: {icmp_block: echo-request, zone: public, permanent: true, state: enabled}
    - ansible.posix.firewalld: {masquerade: "yes", zone: external, permanent: true, state: disabled}
    - ansible.posix.firewalld: {zone: rplab, permanent: true, state: present}
      register: zone
    - debug: msg="{{ svc.msg | default('-') }} | {{ zone.msg | default('-') }}"`,
        ZONES,
      );
      expect(runs[1].stdout).toContain('Permanent operation, Changed service http to enabled, (offline operation: only on-disk configs were altered)');
      expect(runs[2].stdout).toContain('"msg": "Permanent operation, (offline operation: only on-disk configs were altered) | Permanent operation, (offline operation: only on-disk configs were altered)"');
      const pub = await c.sh(c.ours, listZone('public'));
      expect(pub).toMatch(/services: .*http/);
      expect(pub).toContain('ports: 8080/tcp');
      expect(pub).toContain('icmp-blocks: echo-request');
      expect(pub).toContain(rule);
      expect(await c.sh(c.ours, listZone('trusted'))).toContain('sources: 10.1.0.0/16');
      expect(await c.sh(c.ours, listZone('internal'))).toContain('interfaces: eth9');
      expect(await c.sh(c.ours, listZone('external'))).toContain('masquerade: no');
      expect(await c.sh(c.ours, 'firewall-offline-cmd --get-zones')).toContain('rplab');
      if (haveAnsiblePlaybook) {
        for (const z of ['public', 'trusted', 'internal', 'external', 'rplab']) expect(await c.sh(c.ours, listZone(z)), z).toBe(await c.sh(c.theirs, listZone(z)));
      }
      // once more with the execs shown: the eight probes ride in one batched exec
      const again = await runRackplay(['-i', 'ours.json', 'firewalld-add.yml', '-vvv'], { cwd: c.work, env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } });
      expect(parseRecap(again.stdout).lab.changed).toBe(0);
      expect(again.stdout.split('\n').filter((l) => /^<lab> EXEC /.test(l)).length, again.stdout).toBeLessThanOrEqual(2);
    });

    it('sets the new zone\'s target, then takes things away again', async () => {
      await c.cycle(
        'firewalld-remove',
        `    - ansible.posix.firewalld: {zone: rplab, target: DROP, permanent: true, state: present}
    - ansible.posix.firewalld: {service: ssh, zone: public, permanent: true, state: disabled}
    - ansible.posix.firewalld: {port: 8080/tcp, zone: public, permanent: true, state: disabled}
    - ansible.posix.firewalld: {interface: eth9, zone: internal, permanent: true, state: disabled}`,
        ZONES,
      );
      expect(await c.sh(c.ours, listZone('rplab'))).toContain('target: DROP');
      const pub = await c.sh(c.ours, listZone('public'));
      expect(pub).not.toMatch(/services: .*ssh/);
      expect(pub).toContain('ports: \n');
      if (haveAnsiblePlaybook) {
        for (const z of ['public', 'internal', 'rplab']) expect(await c.sh(c.ours, listZone(z)), z).toBe(await c.sh(c.theirs, listZone(z)));
      }
    });

    it('a runtime change without the daemon fails with Ansible\'s message', async () => {
      writeFileSync(path.join(c.work, 'fw-now.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.posix.firewalld: {service: http, state: enabled}\n');
      const r = await runRackplay(['-i', 'ours.json', 'fw-now.yml'], { cwd: c.work, env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('firewall is not currently running, unable to perform immediate actions without a running firewall daemon');
    });
  },
);

describe.skipIf(!isRoot || !haveUfw)(
  `ufw in a network namespace of the test's own (needs root, ufw, iptables and unshare; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`,
  () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-ufw-netns-'));
    const machineRules = () => spawnSync('iptables', ['-S'], { encoding: 'utf8' }).stdout;
    let before = '';
    const holders: Partial<Record<'ours' | 'theirs', ChildProcess>> = {};
    beforeAll(() => {
      before = machineRules();
      for (const who of ['ours', 'theirs'] as const) holders[who] = spawn('unshare', ['--net', 'sleep', 'infinity'], { stdio: 'ignore' });
      writeFileSync(path.join(work, 'inv.ini'), 'lab ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
      for (const who of ['ours', 'theirs']) {
        cpSync('/etc/ufw', path.join(work, who, 'ufw'), { recursive: true });
        // no ip6tables needed: the v4 files are the ones compared
        const defaults = readFileSync('/etc/default/ufw', 'utf8').replace(/^IPV6=.*$/m, 'IPV6=no');
        writeFileSync(path.join(work, who, 'default-ufw'), defaults);
      }
    });
    afterAll(() => {
      for (const h of Object.values(holders)) h?.kill();
      rmSync(work, { recursive: true, force: true });
    });

    /** One run of a tool in its network namespace and a fresh mount namespace, on its own copy of ufw's files. */
    function inNetns(who: 'ours' | 'theirs', args: string[]): Promise<CliRun> {
      const pid = holders[who]!.pid!;
      const d = path.join(work, who);
      const setup = `mount --bind ${d}/ufw /etc/ufw && mount --bind ${d}/default-ufw /etc/default/ufw && mount -t tmpfs tmpfs /run && exec "$@"`;
      const cmd = who === 'ours' ? [process.execPath, rackplayBin] : ['ansible-playbook'];
      return runCommand('nsenter', [`--net=/proc/${pid}/ns/net`, 'unshare', '--mount', 'sh', '-c', setup, 'sh', ...cmd, ...args], { cwd: work, env: { ANSIBLE_NOCOLOR: '1' }, timeoutMs: 120_000 });
    }

    async function cycle(name: string, tasks: string): Promise<CliRun[]> {
      const pb = `${name}.yml`;
      writeFileSync(path.join(work, pb), `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}\n`);
      const files = () => readFileSync(path.join(work, 'ours/ufw/user.rules'), 'utf8') + readFileSync(path.join(work, 'ours/ufw/ufw.conf'), 'utf8');
      const start = files();
      const runs: CliRun[] = [];
      for (const [i, [check, ok]] of ([[true, (n: number) => n > 0], [false, (n: number) => n > 0], [false, (n: number) => n === 0], [true, (n: number) => n === 0]] as const).entries()) {
        const flags = check ? ['--check'] : [];
        // the no-op apply shows its execs: one batched read for every ufw task
        const mine = await inNetns('ours', ['-i', 'inv.ini', pb, ...flags, ...(i === 2 ? ['-vvv'] : [])]);
        expect(mine.code, mine.stdout + mine.stderr).toBe(0);
        const changed = parseRecap(mine.stdout).lab.changed;
        expect(ok(changed), `${name} run ${i + 1}: changed=${changed}\n${mine.stdout}`).toBe(true);
        if (i === 0) expect(files(), 'check mode changed the files').toBe(start);
        if (haveAnsiblePlaybook && i !== 2) expectSameRun({ ours: mine, theirs: await inNetns('theirs', ['-i', 'inv.ini', pb, ...flags]) });
        if (haveAnsiblePlaybook && i === 2) await inNetns('theirs', ['-i', 'inv.ini', pb]);
        runs.push(mine);
      }
      return runs;
    }

    it('rules written while ufw is disabled, then enabled with a default policy, logging and more rules', async () => {
      await cycle(
        'ufw-rules',
        `    - community.general.ufw: {rule: allow, port: "22", proto: tcp, from_ip: 10.0.0.0/8, comment: ssh from the lab}
      register: r
    - community.general.ufw: {rule: deny, direction: in, interface: lo, port: "8080"}
    - community.general.ufw: {rule: reject, direction: out, to_ip: 203.0.113.9}
    - debug: msg="{{ r.msg | default('-') }} {{ r.commands | length }}"`,
      );
      const rules = readFileSync(path.join(work, 'ours/ufw/user.rules'), 'utf8');
      expect(rules).toContain('### tuple ### allow tcp 22 0.0.0.0/0 any 10.0.0.0/8 in comment=');
      expect(rules).toContain('### tuple ### deny any 8080 0.0.0.0/0 any 0.0.0.0/0 in_lo');
      expect(readFileSync(path.join(work, 'ours/ufw/ufw.conf'), 'utf8')).toMatch(/^ENABLED=no$/m);

      const runs = await cycle(
        'ufw-enable',
        `    - community.general.ufw: {state: enabled, policy: deny}
    - community.general.ufw: {default: allow, direction: outgoing}
    - community.general.ufw: {logging: medium}
    - community.general.ufw: {rule: limit, port: ssh, proto: tcp}
    - community.general.ufw: {rule: allow, route: true, interface_in: lo, interface_out: lo}
    - community.general.ufw: {rule: allow, port: "22", proto: tcp, from_ip: 10.0.0.0/8, delete: true}
      register: d
    - debug: msg="{{ d.msg | default('-') }}"`,
      );
      expect(runs[1].stdout).toContain('Status: active\\nLogging: on (medium)\\nDefault: deny (incoming), allow (outgoing), disabled (routed)');
      // the no-op run: the six ufw tasks' guards (reads) in one exec, started by the first
      // guard's lookahead; nothing written.
      const execs = runs[2].stdout.split('\n').filter((l) => /^<lab> EXEC /.test(l));
      expect(execs.length, runs[2].stdout).toBe(1);
      expect(readFileSync(path.join(work, 'ours/ufw/ufw.conf'), 'utf8')).toMatch(/^ENABLED=yes$/m);
      if (haveAnsiblePlaybook) {
        for (const f of ['ufw/user.rules', 'ufw/ufw.conf', 'default-ufw']) {
          expect(readFileSync(path.join(work, 'ours', f), 'utf8'), f).toBe(readFileSync(path.join(work, 'theirs', f), 'utf8'));
        }
      }
      expect(machineRules(), "this machine's own iptables rules").toBe(before);
    });

    it('reloaded and reset always change (check mode runs nothing); reset leaves ufw disabled and without rules', async () => {
      writeFileSync(path.join(work, 'ufw-reset.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - ufw: {state: reloaded}\n    - ufw: {state: reset}\n      register: r\n    - debug: msg="n={{ r.commands | length }}"\n`);
      const conf = () => readFileSync(path.join(work, 'ours/ufw/ufw.conf'), 'utf8');
      for (const flags of [['--check'], []]) {
        const enabledBefore = conf();
        const mine = await inNetns('ours', ['-i', 'inv.ini', 'ufw-reset.yml', ...flags]);
        expect(parseRecap(mine.stdout).lab.changed, mine.stdout).toBe(2);
        if (flags.length) expect(conf()).toBe(enabledBefore);
        if (haveAnsiblePlaybook) expectSameRun({ ours: mine, theirs: await inNetns('theirs', ['-i', 'inv.ini', 'ufw-reset.yml', ...flags]) });
      }
      expect(conf()).toMatch(/^ENABLED=no$/m);
      expect(readFileSync(path.join(work, 'ours/ufw/user.rules'), 'utf8')).not.toContain('### tuple');
      expect(machineRules(), "this machine's own iptables rules").toBe(before);
    });
  },
);

// community.general.modprobe over real SSH on apt-flavor lab hosts. Loading a kernel
// module would change this machine's own kernel (which has no loadable modules anyway:
// no /proc/modules), so the host gets a SIMULATION of modprobe and lsmod
// (test/lab/sim/single-test/modprobe-tools, in its /usr/local/sbin) whose "loaded" list is a
// test-owned file, and an empty modules.builtin; the persistent files under
// /etc/modules-load.d and /etc/modprobe.d are real. ansible-playbook cannot run the same
// task here (its module reads /proc/modules itself), so this is rackplay alone:
// check → apply → apply (changed=0) → check (changed=0), and the files as Ansible writes them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRecap, runRackplay } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 180_000 });
const isRoot = process.getuid?.() === 0;
const machineHasModprobe = ['/usr/sbin/modprobe', '/sbin/modprobe'].some((p) => existsSync(p));
const STANDIN = readFileSync(path.resolve('test/lab/sim/single-test/modprobe-tools'), 'utf8');

describe.skipIf(!isRoot)('modprobe on lab hosts, with a SIMULATION of modprobe/lsmod (needs root for the lab; not comparable with ansible-playbook)', () => {
  let c: LabCycle;
  beforeAll(async () => {
    c = await startLabCycle('modprobe-lab', { flavor: 'apt' });
    await c.sh(
      c.ours,
      `cat > /usr/local/sbin/modprobe <<'RP_EOF'\n${STANDIN}RP_EOF\nchmod +x /usr/local/sbin/modprobe && ln -sf modprobe /usr/local/sbin/lsmod && ` +
        'mkdir -p /var/lib/rackplay-sim /lib/modules/$(uname -r) /etc/modules-load.d /etc/modprobe.d && : > /lib/modules/$(uname -r)/modules.builtin && ' +
        'printf "dummy\\nbr_netfilter\\n" > /var/lib/rackplay-sim/available && echo "options dummy numdummies=1" > /etc/modprobe.d/local.conf',
    );
  });
  afterAll(async () => c?.stop());

  async function cycle(name: string, tasks: string): Promise<string[]> {
    writeFileSync(path.join(c.work, `${name}.yml`), `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}\n`);
    const state = 'cat /var/lib/rackplay-sim/modules; grep -r . /etc/modules-load.d /etc/modprobe.d';
    const before = await c.sh(c.ours, state);
    const outs: string[] = [];
    for (const [check, changed] of [[true, true], [false, true], [false, false], [true, false]] as const) {
      const r = await runRackplay(['-i', 'ours.json', `${name}.yml`, ...(check ? ['--check'] : [])], { cwd: c.work, timeoutMs: 120_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(parseRecap(r.stdout).lab.changed > 0, r.stdout).toBe(changed);
      if (outs.length === 0) expect(await c.sh(c.ours, state), 'check mode changed the host').toBe(before);
      outs.push(r.stdout);
    }
    return outs;
  }

  it('loads a module and makes it persistent with its parameters, then has nothing to do', async () => {
    await cycle('load', '    - community.general.modprobe: {name: dummy, params: numdummies=2, persistent: present}');
    expect(await c.sh(c.ours, 'lsmod | grep -c "^dummy "; cat /etc/modules-load.d/dummy.conf /etc/modprobe.d/dummy.conf /etc/modprobe.d/local.conf')).toBe(
      // the module comments out the old options line and joins the file's lines with '\n'
      '1\ndummy\noptions dummy numdummies=2\n#options dummy numdummies=1\n',
    );
  });

  it('unloads it and takes the persistence away, then has nothing to do', async () => {
    const outs = await cycle('unload', '    - community.general.modprobe: {name: dummy, state: absent, persistent: absent}\n      register: r\n    - debug: {var: r.state}');
    expect(outs[1]).toContain('"r.state": "absent"');
    expect(await c.sh(c.ours, 'lsmod | grep -c "^dummy "; cat /etc/modules-load.d/dummy.conf /etc/modprobe.d/dummy.conf')).toBe('0\n#dummy\n#options dummy numdummies=2\n');
  });

  it("fails with modprobe's words for a module that does not exist", async () => {
    writeFileSync(path.join(c.work, 'bad.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - community.general.modprobe: {name: nosuch}\n');
    const r = await runRackplay(['-i', 'ours.json', 'bad.yml', '--check'], { cwd: c.work, timeoutMs: 120_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/"msg": "modprobe: FATAL: Module nosuch not found in directory \/lib\/modules\/[^"]+\\n"/);
  });

  it.skipIf(machineHasModprobe)('names the missing tool and the host (the second host has no stand-in; skipped when this machine has a modprobe)', async () => {
    writeFileSync(path.join(c.work, 'theirs-bad.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - community.general.modprobe: {name: dummy}\n');
    const t = await runRackplay(['-i', 'theirs.json', 'theirs-bad.yml'], { cwd: c.work, timeoutMs: 120_000 });
    expect(t.stdout).toContain('Failed to find required executable \\"modprobe\\" on lab');
  });
});

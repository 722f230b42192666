// community.general.alternatives with the real update-alternatives on lab hosts (their own
// /etc/alternatives and /var/lib/dpkg/alternatives): install two paths, select one,
// check → apply → apply → check, compared with ansible-playbook on a second host.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { haveAnsiblePlaybook } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)(`alternatives on lab hosts (needs root for the lab; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  let c: LabCycle;
  beforeAll(async () => {
    c = await startLabCycle('alt-lab');
    for (const h of c.lab.hosts) {
      await c.sh(h, 'mkdir -p /etc/alternatives /var/lib/dpkg/alternatives /opt/tools /opt/bin /opt/man && for v in a b; do printf "#!/bin/sh\\necho $v\\n" > /opt/tools/hello-$v; chmod +x /opt/tools/hello-$v; echo $v > /opt/tools/hello-$v.1; done');
    }
  });
  afterAll(async () => c?.stop());

  it('installs two paths and selects the one of lower priority, then has nothing to do', async () => {
    const runs = await c.cycle(
      'alt',
      `    - community.general.alternatives: {name: hello, path: /opt/tools/hello-a, link: /opt/bin/hello, priority: 20, state: present}
    - alternatives:
        name: hello
        path: /opt/tools/hello-b
        link: /opt/bin/hello
        priority: 10
        subcommands: [{name: hello.1, path: /opt/tools/hello-b.1, link: /opt/man/hello.1}]
      register: b
    - debug: {msg: "{{ b.msg }}"}`,
      'ls -la /etc/alternatives /var/lib/dpkg/alternatives /opt/bin',
    );
    expect(runs[1].stdout).toContain("Install alternative '/opt/tools/hello-b' for 'hello'. Set alternative '/opt/tools/hello-b' for 'hello'.");
    expect(await c.sh(c.ours, '/opt/bin/hello; readlink /opt/man/hello.1; update-alternatives --query hello | grep Status')).toBe('b\n/etc/alternatives/hello.1\nStatus: manual\n');
  });

  it('goes back to auto, then removes a path', async () => {
    await c.cycle('auto', '    - alternatives: {name: hello, path: /opt/tools/hello-a, state: auto}\n    - alternatives: {name: hello, path: /opt/tools/hello-b, state: absent}', 'update-alternatives --display hello');
    expect(await c.sh(c.ours, '/opt/bin/hello; update-alternatives --query hello | grep Status')).toBe('a\nStatus: auto\n');
  });
});

// The sysctl module's pure half: each row's kernel value and file go through the real
// parser (probe output built as the probe prints it), the plan is checked, and the same
// row planned again with the finished state (the file written, `sysctl -w` / `-p` done)
// must plan nothing.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/apply-plan.js';
import { LocalTransport } from '../../src/transport/local.js';
import { parseSysctl, parseSysctlValue, planSysctl, prepareSysctl, type SysctlArgs } from '../../src/modules/sysctl.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';
import { rec } from './file-module-helpers.js';

interface Host {
  /** The kernel's value (undefined: no such key). */
  kernel?: string;
  file?: string;
  noSysctl?: boolean;
}

type Row = Partial<SysctlArgs> & { name: string };
const DEFAULTS = { state: 'present', reload: true, sysctl_set: false, ignoreerrors: false, sysctl_file: '/etc/sysctl.conf' } as const;

function planFor(row: Row, h: Host): Plan {
  const p = prepareSysctl({ ...DEFAULTS, ...row } as SysctlArgs);
  const head = `@sysctl\npath /usr/bin:/bin\n${h.noSysctl ? '' : 'sysctl yes\n'}${h.kernel !== undefined ? `content ${Buffer.byteLength(h.kernel) + 1}\n${h.kernel}\n\n` : ''}`;
  const buf = Buffer.concat([Buffer.from(head), rec('file', h.file === undefined ? 'absent' : { content: h.file })]);
  return planSysctl(p, parseSysctl({ rc: 0, stdout: buf.toString(), stderr: '', stdoutBytes: buf }));
}

/** The host after the steps: the file written; `-w` sets the kernel, `-p` loads the file's value. */
function after(row: Row, h: Host, plan: Plan): Host {
  const next = { ...h };
  for (const s of plan.steps) {
    if (s.kind === 'put') next.file = s.content.toString();
    else if (/ -w /.test(s.cmd)) next.kernel = parseSysctlValue(row.value);
    else if (/ -p /.test(s.cmd)) {
      const line = (next.file ?? '').split('\n').find((l) => l.startsWith(`${row.name}=`));
      if (line) next.kernel = line.slice(row.name.length + 1);
    }
  }
  return next;
}

function converge(row: Row, h: Host): { plan: Plan; host: Host } {
  const plan = planFor(row, h);
  const host = after(row, h, plan);
  const again = planFor(row, host);
  expect(again.steps, 'finished state plans nothing').toEqual([]);
  expect(again.changed).toBe(false);
  return { plan, host };
}

const cmds = (plan: Plan) => plan.steps.map((s) => (s.kind === 'exec' ? s.cmd : `put ${s.path}`));

describe('sysctl', () => {
  it('adds the key to the file and reloads it', () => {
    const { plan, host } = converge({ name: 'vm.swappiness', value: '10' }, { kernel: '60', file: '# tuned\nkernel.panic = 5\n' });
    expect(host.file).toBe('# tuned\nkernel.panic=5\nvm.swappiness=10\n');
    expect(cmds(plan)).toEqual(['put /etc/sysctl.conf', expect.stringContaining("sysctl -p /etc/sysctl.conf 2>&1")]);
    expect(plan.changed).toBe(true);
  });

  it('changes the value in place and drops repeats of the key; booleans become 1/0', () => {
    const { host } = converge({ name: 'net.ipv4.ip_forward', value: 'yes', sysctl_file: '/etc/sysctl.d/f.conf' }, { kernel: '0', file: 'net.ipv4.ip_forward=0\n  a = b  \nnet.ipv4.ip_forward=0\n' });
    expect(host.file).toBe('net.ipv4.ip_forward=1\na=b\n');
  });

  it('with the file right but the kernel not, reload alone fixes it (changed)', () => {
    const { plan } = converge({ name: 'vm.swappiness', value: '10' }, { kernel: '60', file: 'vm.swappiness=10\n' });
    expect(cmds(plan)).toEqual([expect.stringContaining('sysctl -p /etc/sysctl.conf')]);
  });

  it('with reload off, only the file counts', () => {
    const { plan } = converge({ name: 'vm.swappiness', value: '10', reload: false }, { kernel: '60', file: 'vm.swappiness=10\n' });
    expect(plan.changed).toBe(false);
  });

  it('sysctl_set writes the kernel with -w (-e with ignoreerrors); value words compare split on whitespace', () => {
    const { plan } = converge({ name: 'net.ipv4.ip_local_port_range', value: '1024 65000', sysctl_set: true, reload: false, ignoreerrors: true }, { kernel: '32768\t60999', file: '' });
    expect(cmds(plan)[0]).toContain("sysctl -e -w 'net.ipv4.ip_local_port_range=1024 65000'");
    expect(converge({ name: 'x.y', value: '1  2', sysctl_set: true }, { kernel: '1\t2', file: 'x.y=1  2\n' }).plan.changed).toBe(false);
  });

  it('removes the key from the file; a key that is not there is no change', () => {
    expect(converge({ name: 'vm.swappiness', state: 'absent' }, { kernel: '10', file: 'a=1\nvm.swappiness=10\n' }).host.file).toBe('a=1\n');
    expect(converge({ name: 'vm.swappiness', state: 'absent' }, { kernel: '10', file: 'a=1\n' }).plan.changed).toBe(false);
  });

  it("fails with Ansible's words", () => {
    const fail = (row: Row, h: Host) => {
      try {
        planFor(row, h);
      } catch (e) {
        if (e instanceof ModuleFailure) return e.message;
        throw e;
      }
      return 'no failure';
    };
    expect(fail({ name: 'a', value: '1' }, { noSysctl: true })).toBe('Failed to find required executable "sysctl" in paths: /usr/bin:/bin:/sbin:/usr/sbin:/usr/local/sbin');
    expect(fail({ name: '', value: '1' }, {})).toBe('name cannot be blank');
    expect(fail({ name: 'a', value: '' }, {})).toBe('value cannot be blank');
  });
});

describe.skipIf(spawnSync('sh', ['-c', 'command -v sysctl'], { stdio: 'ignore' }).status !== 0)('a failing step, with this machine\'s sysctl (needs sysctl)', () => {
  it("fails the task with Ansible's message alone, sysctl's final newline included", async () => {
    // reloading a file that is not there changes nothing on this machine
    const plan = planFor({ name: 'vm.swappiness', value: '10', sysctl_file: '/nonexistent/rp.conf' }, { kernel: '60', file: 'vm.swappiness=10\n' });
    const reload = { steps: plan.steps.filter((s) => s.kind === 'exec') };
    expect(reload.steps).toHaveLength(1);
    const failure = await applyPlan(reload, new LocalTransport('local'), {});
    expect(failure).toEqual({ msg: 'Failed to reload sysctl: sysctl: cannot open "/nonexistent/rp.conf": No such file or directory\n' });
  });
});

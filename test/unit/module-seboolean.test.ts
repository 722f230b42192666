// seboolean against a SIMULATION of SELinux's command-line tools (this kernel has no
// SELinux): test/lab/sim/single-test/seboolean-tools plays selinuxenabled, getsebool, setsebool
// and `semanage boolean -l` over state files. The module's real probe runs under sh with
// the stand-ins first on PATH, the plan's steps run the same way, and the finished state
// plans nothing. This machine's own selinuxenabled (when installed) answers the
// "disabled" case for real.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSeboolean, planSeboolean, sebooleanProbe, type SebooleanArgs } from '../../src/modules/seboolean.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';
import { have, out, sec } from './system-test-helpers.js';

const STANDIN = path.resolve('test/lab/sim/single-test/seboolean-tools');
let sim: string;
let bin: string;

function sh(script: string, pathDirs: string) {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: pathDirs, RACKPLAY_SEBOOL_SIM: sim } });
  return { rc: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, stdoutBytes: Buffer.from(r.stdout) };
}

const args = (a: Partial<SebooleanArgs>) => ({ name: 'httpd_can_network_connect', state: true, persistent: false, ignore_selinux_state: false, ...a }) as SebooleanArgs;

function plan(a: SebooleanArgs, check = false, pathDirs = `${bin}:/usr/bin:/bin`): Plan {
  return planSeboolean(a, parseSeboolean(sh(sebooleanProbe(a), pathDirs), a), { check, diff: false, host: 'sim', vars: {} });
}

function apply(p: Plan): void {
  for (const s of p.steps) {
    if (s.kind !== 'exec') throw new Error('only exec steps expected');
    const r = sh(s.cmd, `${bin}:/usr/bin:/bin`);
    if (r.rc !== 0) throw new Error(r.stderr);
  }
}

const failure = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof ModuleFailure) return e.message;
    throw e;
  }
  return 'no failure';
};

describe('seboolean against simulated SELinux tools', () => {
  beforeEach(() => {
    sim = mkdtempSync(path.join(os.tmpdir(), 'rackplay-sebool-'));
    bin = path.join(sim, 'bin');
    for (const d of ['bin', 'live', 'policy']) mkdirSync(path.join(sim, d));
    for (const t of ['selinuxenabled', 'getsebool', 'setsebool', 'semanage']) symlinkSync(STANDIN, path.join(bin, t));
    writeFileSync(path.join(sim, 'enabled'), '');
    for (const [n, live, pol] of [['httpd_can_network_connect', 'off', 'off'], ['ftpd_full_access', 'on', 'off']]) {
      writeFileSync(path.join(sim, 'live', n), live + '\n');
      writeFileSync(path.join(sim, 'policy', n), pol + '\n');
    }
  });
  afterEach(() => rmSync(sim, { recursive: true, force: true }));
  const value = (kind: string, n = 'httpd_can_network_connect') => readFileSync(path.join(sim, kind, n), 'utf8').trim();

  it.each([
    ['sets a boolean for now', args({}), 'on', 'off'],
    ['sets a boolean in the policy (and for now)', args({ persistent: true }), 'on', 'on'],
    ['turns a boolean off', args({ name: 'ftpd_full_access', state: false }), 'off', 'off'],
  ])('%s, then has nothing to do', (_n, a, live, policy) => {
    const check = plan(a, true);
    expect(check.steps.length).toBe(1);
    expect(check.result).toEqual({ name: a.name, persistent: a.persistent, state: a.state });
    apply(plan(a));
    expect([value('live', a.name), value('policy', a.name)]).toEqual([live, policy]);
    expect(plan(a).steps).toEqual([]);
  });

  it('compares a persistent boolean by its policy value only, as Ansible does', () => {
    writeFileSync(path.join(sim, 'policy', 'ftpd_full_access'), 'on\n');
    writeFileSync(path.join(sim, 'live', 'ftpd_full_access'), 'off\n');
    expect(plan(args({ name: 'ftpd_full_access', persistent: true })).steps).toEqual([]);
    expect(plan(args({ name: 'ftpd_full_access' })).steps.length).toBe(1);
  });

  it('fails as the module does', () => {
    expect(failure(() => plan(args({ name: 'no_such_bool' })))).toBe('SELinux boolean no_such_bool does not exist.');
    rmSync(path.join(sim, 'policy', 'ftpd_full_access'));
    expect(failure(() => plan(args({ name: 'ftpd_full_access', persistent: true })))).toBe('SELinux boolean ftpd_full_access is not defined in persistent policy');
    rmSync(path.join(sim, 'enabled'));
    expect(failure(() => plan(args({})))).toBe('SELinux is disabled on this host.');
    expect(failure(() => plan(args({ ignore_selinux_state: true })))).toBe('Failed to get list of boolean names');
  });

  it('names the missing tool and the host', () => {
    const facts = parseSeboolean(out(have({ selinuxenabled: false, getsebool: false, setsebool: false, semanage: false }), sec('enabled', 'sh: selinuxenabled: not found', 127)), args({}));
    expect(failure(() => planSeboolean(args({}), facts, { check: true, diff: false, host: 'web1', vars: {} }))).toMatch(/"getsebool" on web1/);
  });
});

const realSelinuxenabled = spawnSync('sh', ['-c', 'PATH=/usr/sbin:/sbin:$PATH command -v selinuxenabled && getsebool -a']).status;
describe.skipIf(realSelinuxenabled === null || realSelinuxenabled === 0 || spawnSync('sh', ['-c', 'PATH=/usr/sbin:/sbin:$PATH command -v selinuxenabled']).status !== 0)(
  "seboolean with this machine's own SELinux tools (skipped unless they are installed and SELinux is off)",
  () => {
    it('fails as Ansible does on a host without SELinux', () => {
      sim = os.tmpdir();
      expect(failure(() => plan(args({}), true, '/usr/sbin:/sbin:/usr/bin:/bin'))).toBe('SELinux is disabled on this host.');
    });
  },
);

// The system modules against LocalTransport and the stand-in tools in
// test/fixtures/sim-tools (test simulations of rpm, yum, service, chkconfig, SELinux,
// LVM2, iptables and xm that keep state in files). Each module goes through the cycle a
// playbook run sees: check predicts a change and changes nothing, apply changes the
// state, a second apply plans no steps, and check then predicts no change.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getUrlModule } from '../../src/modules/get-url.js';
import { iptablesModule } from '../../src/modules/iptables.js';
import { lvgModule } from '../../src/modules/lvg.js';
import { lvolModule } from '../../src/modules/lvol.js';
import { packageModule, yumModule } from '../../src/modules/package.js';
import { rebootModule } from '../../src/modules/reboot.js';
import { selinuxModule } from '../../src/modules/selinux.js';
import { serviceModule, sysvinitModule } from '../../src/modules/service.js';
import type { ModuleDef } from '../../src/modules/types.js';
import { unarchiveModule } from '../../src/modules/unarchive.js';
import { waitForConnectionModule } from '../../src/modules/wait-for-connection.js';
import { xenDomainModule } from '../../src/modules/xen-domain.js';
import { LocalTransport } from '../../src/transport/local.js';
import { runModule } from '../helpers/run-planned.js';

const SIM = resolve(__dirname, '../fixtures/sim-tools');
let dir: string;
let state: string;
let env: Record<string, string>;
const transport = new LocalTransport('sl44');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rackplay-system-'));
  state = join(dir, 'state');
  mkdirSync(state);
  // the stand-ins create their state files on first use; create them first so a read-only
  // probe leaves the snapshot alone
  for (const d of ['xen', 'lvm', 'iptables', 'services', 'chkconfig']) mkdirSync(join(state, d));
  for (const f of ['lvm/pv', 'lvm/vg', 'lvm/lv', 'rpmdb', 'repo']) writeFileSync(join(state, f), '');
  writeFileSync(join(state, 'iptables/filter'), ':INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n');
  env = { PATH: `${SIM}:${process.env.PATH}`, SIM_STATE: state };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Everything under the temp dir, as one string: any change to it shows. */
function snapshot(root = dir): string {
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        parts.push(`${p}/ ${(st.mode & 0o7777).toString(8)}`);
        walk(p);
      } else parts.push(`${p} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}\n${readFileSync(p, 'latin1')}`);
    }
  };
  walk(root);
  return parts.join('\n');
}

function run(def: ModuleDef, args: Record<string, unknown>, check = false, vars: Record<string, unknown> = {}) {
  return runModule(def, args, { transport, env, check, vars, filesDir: dir });
}

async function cycle(def: ModuleDef, args: Record<string, unknown>, vars: Record<string, unknown> = {}) {
  const before = snapshot();
  const c1 = await run(def, args, true, vars);
  expect(c1.result.failed, String(c1.result.msg)).toBeFalsy();
  expect(c1.result.changed).toBe(true);
  expect(snapshot()).toBe(before);
  const a1 = await run(def, args, false, vars);
  expect(a1.result.failed, String(a1.result.msg)).toBeFalsy();
  expect(a1.result.changed).toBe(true);
  expect(snapshot()).not.toBe(before);
  const after = snapshot();
  const a2 = await run(def, args, false, vars);
  expect(a2.result.failed, String(a2.result.msg)).toBeFalsy();
  expect(a2.plan?.steps ?? []).toEqual([]);
  expect(a2.result.changed).toBe(false);
  expect(snapshot()).toBe(after);
  const c2 = await run(def, args, true, vars);
  expect(c2.result.changed).toBe(false);
  return { c1, a1, a2 };
}

const file = (p: string) => readFileSync(join(state, p), 'utf8');

describe('package and yum', () => {
  beforeEach(() => {
    writeFileSync(join(state, 'rpmdb'), 'bash 3.0-19.3\n');
    writeFileSync(join(state, 'repo'), 'bash 3.0-19.6\nhttpd 2.0.52-28.ent\nmod_ssl 2.0.52-28.ent\n');
  });

  it('installs only the missing packages, then is idempotent', async () => {
    const { a1 } = await cycle(packageModule, { name: ['bash', 'httpd', 'mod_ssl'], state: 'present' });
    expect(a1.result.changes).toEqual({ installed: ['httpd', 'mod_ssl'] });
    expect(file('rpmdb')).toContain('httpd 2.0.52-28.ent');
    expect(file('rpmdb')).toContain('bash 3.0-19.3');
  });

  it('updates to the latest version found by yum check-update', async () => {
    await cycle(yumModule, { name: 'bash', state: 'latest' });
    expect(file('rpmdb')).toContain('bash 3.0-19.6');
  });

  it('removes installed packages', async () => {
    await cycle(yumModule, { name: ['bash', 'httpd'], state: 'absent' });
    expect(file('rpmdb')).not.toContain('bash');
  });

  it('fails like Ansible when yum 2.4 finds no such package (it exits 0)', async () => {
    const r = await run(yumModule, { name: 'no-such-pkg' });
    expect(r.result.failed).toBe(true);
    expect(r.result.msg).toMatch(/No package matching 'no-such-pkg' found available/);
  });
});

describe('service and sysvinit', () => {
  beforeEach(() => {
    writeFileSync(join(state, 'services/httpd'), 'stopped\n');
  });

  it('starts and enables in the given runlevels with chkconfig (adding the script first)', async () => {
    await cycle(sysvinitModule, { name: 'httpd', state: 'started', enabled: true, runlevels: [3, 4, 5] });
    expect(file('services/httpd').trim()).toBe('running');
    expect(file('chkconfig/httpd').trim()).toBe('0:off 1:off 2:off 3:on 4:on 5:on 6:off');
  });

  it('stops and disables', async () => {
    writeFileSync(join(state, 'services/httpd'), 'running\n');
    writeFileSync(join(state, 'chkconfig/httpd'), '0:off 1:off 2:on 3:on 4:on 5:on 6:off\n');
    await cycle(serviceModule, { name: 'httpd', state: 'stopped', enabled: false });
    expect(file('chkconfig/httpd').trim()).toBe('0:off 1:off 2:off 3:off 4:off 5:off 6:off');
  });

  it('restarted always changes', async () => {
    writeFileSync(join(state, 'services/httpd'), 'running\n');
    for (let i = 0; i < 2; i++) expect((await run(serviceModule, { name: 'httpd', state: 'restarted' })).result.changed).toBe(true);
  });

  it('fails for an unknown service', async () => {
    const r = await run(serviceModule, { name: 'nosuch', state: 'started' });
    expect(r.result.failed).toBe(true);
    expect(r.result.msg).toMatch(/Could not find the requested service nosuch/);
  });
});

describe('selinux', () => {
  it('goes from enforcing to permissive live and in the config file', async () => {
    writeFileSync(join(state, 'selinux'), 'Enforcing\n');
    const conf = join(dir, 'config');
    writeFileSync(conf, '# This file controls the state of SELinux\nSELINUX=enforcing\nSELINUXTYPE=targeted\n');
    const { a1 } = await cycle(selinuxModule, { state: 'permissive', policy: 'targeted', configfile: conf });
    expect(file('selinux').trim()).toBe('Permissive');
    expect(readFileSync(conf, 'utf8')).toBe('# This file controls the state of SELinux\nSELINUX=permissive\nSELINUXTYPE=targeted\n');
    expect(a1.result.reboot_required).toBe(false);
  });

  it('asks for a reboot to disable', async () => {
    writeFileSync(join(state, 'selinux'), 'Permissive\n');
    const conf = join(dir, 'config');
    writeFileSync(conf, 'SELINUX=permissive\nSELINUXTYPE=targeted\n');
    const r = await run(selinuxModule, { state: 'disabled', configfile: conf });
    expect(r.result.reboot_required).toBe(true);
    expect(readFileSync(conf, 'utf8')).toContain('SELINUX=disabled\n');
  });
});

describe('lvg and lvol', () => {
  beforeEach(() => {
    mkdirSync(join(dir, 'dev'));
    for (const d of ['sdb', 'sdc']) writeFileSync(join(dir, 'dev', d), '');
  });

  it('creates a volume group from two disks, then extends and reduces it', async () => {
    const sdb = join(dir, 'dev/sdb');
    const sdc = join(dir, 'dev/sdc');
    await cycle(lvgModule, { vg: 'vg_guests', pvs: [sdb, sdc], pesize: '32M' });
    expect(file('lvm/vg')).toBe('vg_guests;32\n');
    expect(file('lvm/pv')).toBe(`${sdb};vg_guests\n${sdc};vg_guests\n`);
    await cycle(lvgModule, { vg: 'vg_guests', pvs: sdb });
    expect(file('lvm/pv')).toContain(`${sdc};\n`);
  });

  it('creates, grows and snapshots logical volumes in whole extents', async () => {
    await run(lvgModule, { vg: 'vg0', pvs: [join(dir, 'dev/sdb'), join(dir, 'dev/sdc')] });
    await cycle(lvolModule, { vg: 'vg0', lv: 'root', size: '1g' });
    expect(file('lvm/lv')).toBe('root;vg0;256;\n');
    await cycle(lvolModule, { vg: 'vg0', lv: 'root', size: '1030m' });
    expect(file('lvm/lv')).toBe('root;vg0;258;\n');
    await cycle(lvolModule, { vg: 'vg0', lv: 'root', snapshot: 'root-snap', size: '10%ORIGIN' });
    expect(file('lvm/lv')).toContain('root-snap;vg0;25;root\n');
    await cycle(lvolModule, { vg: 'vg0', lv: 'data', size: '100%FREE' });
    expect(file('lvm/lv')).toContain(`data;vg0;${512 - 258 - 25};\n`);
  });

  it('refuses to shrink or remove without force', async () => {
    await run(lvgModule, { vg: 'vg0', pvs: [join(dir, 'dev/sdb')] });
    await run(lvolModule, { vg: 'vg0', lv: 'root', size: '512m' });
    expect((await run(lvolModule, { vg: 'vg0', lv: 'root', size: '256m' })).result.msg).toBe('Sorry, no shrinking of root without force=true.');
    expect((await run(lvolModule, { vg: 'vg0', lv: 'root', state: 'absent' })).result.msg).toBe('Sorry, no removal of logical volume root without force=true.');
    await cycle(lvolModule, { vg: 'vg0', lv: 'root', state: 'absent', force: true });
    expect(file('lvm/lv')).toBe('');
  });
});

describe('iptables', () => {
  it('appends a rule once even though iptables-save prints it differently', async () => {
    const args = { chain: 'INPUT', protocol: 'tcp', source: '10.0.0.1', destination_port: '22', ctstate: ['NEW'], jump: 'ACCEPT', comment: 'ssh from admin' };
    const { a1 } = await cycle(iptablesModule, args);
    expect(file('iptables/filter')).toContain('-A INPUT -p tcp -s 10.0.0.1/32 -m tcp --dport 22 -m state --state NEW -m comment --comment "ssh from admin" -j ACCEPT');
    expect(a1.result.rule).toContain('--dport 22');
    await cycle(iptablesModule, { ...args, state: 'absent' });
    expect(file('iptables/filter')).not.toContain('-A INPUT');
  });

  it('sets a chain policy', async () => {
    await cycle(iptablesModule, { chain: 'FORWARD', policy: 'DROP' });
    expect(file('iptables/filter')).toContain(':FORWARD DROP [0:0]');
  });
});

describe('xen_domain', () => {
  it('starts a domain with autostart, then shuts it down and removes the link', async () => {
    const cfg = join(dir, 'web1.cfg');
    writeFileSync(cfg, 'name = "web1"\nmemory = 512\n');
    const autoDir = join(dir, 'auto');
    await cycle(xenDomainModule, { name: 'web1', config: cfg, state: 'running', autostart: true, auto_dir: autoDir });
    expect(execFileSync('readlink', [join(autoDir, 'web1')]).toString().trim()).toBe(cfg);
    expect(file('xen/web1').trim()).toBe('1');
    await cycle(xenDomainModule, { name: 'web1', state: 'absent', auto_dir: autoDir, shutdown_timeout: 5 });
    expect(readdirSync(autoDir)).toEqual([]);
  });
});

describe('unarchive', () => {
  it('unpacks a controller tar.gz once, judged by the members on the host', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'app/bin'), { recursive: true });
    writeFileSync(join(src, 'app/bin/run.sh'), '#!/bin/sh\necho hi\n');
    writeFileSync(join(src, 'app/README'), 'readme\n');
    execFileSync('tar', ['-czf', join(dir, 'app.tar.gz'), '-C', src, 'app']);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    const { a1 } = await cycle(unarchiveModule, { src: 'app.tar.gz', dest, list_files: true });
    expect(readFileSync(join(dest, 'app/bin/run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(a1.result.files).toEqual(expect.arrayContaining(['app', 'app/bin/run.sh', 'app/README']));
    writeFileSync(join(dest, 'app/README'), 'changed on the host\n');
    const again = await run(unarchiveModule, { src: 'app.tar.gz', dest });
    expect(again.result.changed).toBe(true);
    expect(readFileSync(join(dest, 'app/README'), 'utf8')).toBe('readme\n');
  });

  it('with remote_src, unpacks an archive already on the host', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'tool'), { recursive: true });
    writeFileSync(join(src, 'tool/x'), 'x\n');
    execFileSync('tar', ['-cjf', join(dir, 'tool.tar.bz2'), '-C', src, 'tool']);
    const dest = join(dir, 'dest');
    mkdirSync(dest);
    await cycle(unarchiveModule, { src: join(dir, 'tool.tar.bz2'), dest, remote_src: true });
    expect(readFileSync(join(dest, 'tool/x'), 'utf8')).toBe('x\n');
  });
});

describe('get_url', () => {
  it('uploads from rackplay_mirror_dir, verified by sha256, into a dest directory', async () => {
    const mirror = join(dir, 'mirror');
    mkdirSync(mirror);
    const body = 'jdk bits\n';
    writeFileSync(join(mirror, 'jdk.rpm'), body);
    const sum = execFileSync('sha256sum', [join(mirror, 'jdk.rpm')]).toString().split(' ')[0];
    const dest = join(dir, 'dl');
    mkdirSync(dest);
    const args = { url: 'http://mirror.example.org/sl/jdk.rpm?x=1', dest, checksum: `sha256:${sum}`, mode: '0640' };
    await cycle(getUrlModule, args, { rackplay_mirror_dir: mirror });
    expect(readFileSync(join(dest, 'jdk.rpm'), 'utf8')).toBe(body);
    expect(statSync(join(dest, 'jdk.rpm')).mode & 0o777).toBe(0o640);
    const bad = await run(getUrlModule, { ...args, checksum: 'sha256:' + '0'.repeat(64) }, false, { rackplay_mirror_dir: mirror });
    expect(bad.result.failed).toBe(true);
    expect(bad.result.msg).toMatch(/did not match/);
  });
});

describe('reboot and wait_for_connection', () => {
  it('reboots through the reboot command and waits for a new boot id', async () => {
    const bootId = join(dir, 'boot_id');
    writeFileSync(bootId, 'first\n');
    const script = join(dir, 'fake-reboot');
    writeFileSync(script, `#!/bin/sh\n# TEST SIMULATION of a reboot: a new boot id\necho second > ${bootId}\n`);
    chmodSync(script, 0o755);
    const check = await run(rebootModule, { reboot_command: script, boot_time_command: `cat ${bootId}` }, true);
    expect(check.result).toMatchObject({ changed: true, rebooted: true });
    expect(readFileSync(bootId, 'utf8')).toBe('first\n');
    const r = await run(rebootModule, { reboot_command: script, boot_time_command: `cat ${bootId}`, reboot_timeout: 20 });
    expect(r.result).toMatchObject({ changed: true, rebooted: true });
    expect(readFileSync(bootId, 'utf8')).toBe('second\n');
  });

  it('wait_for_connection returns once the host answers', async () => {
    const r = await run(waitForConnectionModule, { timeout: 5 });
    expect(r.result.failed).toBeFalsy();
    expect(r.result.elapsed).toBeTypeOf('number');
  });
});

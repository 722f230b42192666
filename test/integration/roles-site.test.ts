// The Xen/CCS roles and playbooks as the CLI loads them, before any lab host exists:
// syntax, tags, the validation play that stops a bad guest definition before any host is
// contacted, the HVM config the ccs-hvm template renders (run on this machine through a
// local connection into a scratch directory), the roles' documentation, and the same
// files through the real ansible-playbook when it is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseRecap, repoRoot, runCommand, runRackplay, haveAnsiblePlaybook } from '../helpers/cli.js';

const ROLES = ['sl44-base', 'xen-3.0.4-source', 'xen-kernel', 'lvm-guests', 'ccs-hvm', 'iptables'];
const site = 'playbooks/site.yml';
const rack = 'inventory/rack.yml';
const work = mkdtempSync(path.join(tmpdir(), 'rackplay-roles-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


/** An inventory whose hosts point at 127.0.0.1 port 1, where nothing listens: any
 *  attempt to contact them would show as UNREACHABLE. */
function deadInventory(guests: Record<string, unknown[]>): string {
  const file = path.join(work, `dead-${Math.random().toString(36).slice(2)}.yml`);
  const hosts = Object.fromEntries(
    Object.entries(guests).map(([name, list]) => [name, { ansible_host: '127.0.0.1', ansible_port: 1, ansible_user: 'root', ansible_ssh_common_args: '-o ConnectTimeout=2', xen_guests: list }]),
  );
  writeFileSync(file, JSON.stringify({ all: { children: { xen_hosts: { hosts } } } }));
  return file;
}

/** `role : task<TAB>TAGS: [a, b]` lines of --list-tasks, per play number. */
function listedTasks(stdout: string): { play: number; role: string; task: string; tags: string[] }[] {
  const out: { play: number; role: string; task: string; tags: string[] }[] = [];
  let play = 0;
  for (const line of stdout.split('\n')) {
    const p = /^\s*play #(\d+)/.exec(line);
    if (p) play = Number(p[1]);
    const m = /^\s+(\S+) : (.*?)\tTAGS: \[(.*)\]$/.exec(line);
    if (m) out.push({ play, role: m[1], task: m[2], tags: m[3].split(',').map((t) => t.trim()).filter(Boolean) });
  }
  return out;
}

describe('site.yml and guests.yml load', () => {
  it('pass --syntax-check with the example rack', async () => {
    for (const pb of [site, 'playbooks/guests.yml']) {
      const r = await runRackplay([pb, '-i', rack, '--syntax-check'], { cwd: repoRoot });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`playbook: ${pb}`);
    }
  });

  it('find the roles through playbooks/roles, a link to ../roles', () => {
    const link = path.join(repoRoot, 'playbooks/roles');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../roles');
  });

  it('--list-tags shows each role tagged with its own name and the validation play as always', async () => {
    const r = await runRackplay([site, '-i', rack, '--list-tags'], { cwd: repoRoot });
    expect(r.code).toBe(0);
    const taskTags = [...r.stdout.matchAll(/TASK TAGS: \[(.*)\]/g)].map((m) => m[1].split(',').map((t) => t.trim()));
    expect(taskTags[0]).toEqual(['always']);
    expect([...taskTags[1]].sort()).toEqual([...ROLES].sort());
  });

  it('--list-tasks lists every role in howto order, each task carrying its role tag', async () => {
    const r = await runRackplay([site, '-i', rack, '--list-tasks'], { cwd: repoRoot });
    expect(r.code).toBe(0);
    const tasks = listedTasks(r.stdout).filter((t) => t.play === 2);
    const order = tasks.map((t) => t.role).filter((role, i, all) => all.indexOf(role) === i);
    expect(order).toEqual(ROLES);
    for (const t of tasks) expect(t.tags, `${t.role} : ${t.task}`).toEqual([t.role]);
  });

  it('--tags iptables selects the iptables role only (plus the always-run validation)', async () => {
    const r = await runRackplay([site, '-i', rack, '--list-tasks', '--tags', 'iptables'], { cwd: repoRoot });
    expect(r.code).toBe(0);
    const roles = new Set(listedTasks(r.stdout).filter((t) => t.play === 2).map((t) => t.role));
    expect([...roles]).toEqual(['iptables']);
  });
});

describe('guest definitions are checked before any host is contacted', () => {
  it('rejects an autostart guest with an SDL display, quoting the howto, exit 2', async () => {
    const inv = deadInventory({ xa: [{ name: 'ccs01', display: 'sdl', autostart: true }], xb: [{ name: 'ccs02' }] });
    const r = await runRackplay([site, '-i', inv], { cwd: repoRoot, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Guest ccs01 on xa has autostart: true with display: sdl');
    expect(r.stdout).toContain('you have to set SDL to 0 and activate VNC instead. Otherwise the VM is not able to start correctly');
    expect(r.stdout).not.toMatch(/UNREACHABLE|Gathering Facts/);
    const recap = parseRecap(r.stdout);
    expect(recap.xa.failed).toBe(1);
    for (const h of ['xa', 'xb']) expect(recap[h]?.unreachable ?? 0).toBe(0);
  });

  it('rejects a guest with less than 256 MB with the numbers', async () => {
    const inv = deadInventory({ xa: [{ name: 'tiny', memory: 128 }] });
    const r = await runRackplay([site, '-i', inv], { cwd: repoRoot, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Guest tiny has memory 128 MB; Windows Server 2003 needs at least 256 MB');
    expect(r.stdout).not.toContain('UNREACHABLE');
  });

  it('rejects a clone of a guest that does not exist', async () => {
    const inv = deadInventory({ xa: [{ name: 'ccs02', clone_from: 'nosuch' }] });
    const r = await runRackplay([site, '-i', inv], { cwd: repoRoot, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Guest ccs02 has clone_from: nosuch, which is not another guest');
  });

  it('guests.yml without a guest name fails with usage, contacting nothing', async () => {
    const inv = deadInventory({ xa: [{ name: 'ccs01' }] });
    const r = await runRackplay(['playbooks/guests.yml', '-i', inv, '-e', 'state=sleeping'], { cwd: repoRoot, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('-e guest=NAME -e state=running|shutdown');
    expect(r.stdout).not.toContain('UNREACHABLE');
  });
});

describe('ccs-hvm renders the howto config with its typos fixed', () => {
  // A local connection to this machine; every path the role writes is under `work`, and
  // Xen is not running here, so the role stops after the configs and links.
  async function renderGuests(guests: unknown[]): Promise<{ code: number; stdout: string; dir: string }> {
    const dir = mkdtempSync(path.join(work, 'xen-'));
    const inv = path.join(dir, 'inv.yml');
    writeFileSync(inv, JSON.stringify({ all: { children: { xen_hosts: { hosts: { here: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' } } } } } }));
    const vars = path.join(dir, 'vars.json');
    writeFileSync(vars, JSON.stringify({ xen_guests: guests, xen_vg: 'vg', ccs_hvm_config_dir: dir, ccs_hvm_auto_dir: path.join(dir, 'auto'), rackplay_xen_running: false }));
    const r = await runRackplay([site, '-i', inv, '--tags', 'ccs-hvm', '-e', `@${vars}`], { cwd: repoRoot, timeoutMs: 60_000 });
    return { code: r.code, stdout: r.stdout + r.stderr, dir };
  }

  it('install phase boots the ISO; installed boots the disk; autostart links; SDL only for a local install', async () => {
    const { code, stdout, dir } = await renderGuests([
      { name: 'w2k3', memory: 512, phase: 'install', display: 'sdl' },
      { name: 'ccs01', lv: 'w2k3b', phase: 'installed', autostart: true, vnc_display: 3 },
    ]);
    expect(stdout).not.toContain('FAILED');
    expect(code).toBe(0);
    const install = readFileSync(path.join(dir, 'w2k3.hvm'), 'utf8');
    expect(install).toContain("builder = 'hvm'");
    expect(install).toContain("kernel = '/usr/lib/xen/boot/hvmloader'");
    expect(install).toContain("disk = [ 'phy:/dev/vg/w2k3,ioemu:hda,w', 'file:/images/winccs2003.iso,hdc:cdrom,r' ]");
    expect(install).toMatch(/^boot = 'd'$/m);
    expect(install).toMatch(/^sdl = 1$/m);
    expect(install).toMatch(/^vnc = 0$/m);
    expect(install).toMatch(/^memory = 512$/m);
    const installed = readFileSync(path.join(dir, 'ccs01.hvm'), 'utf8');
    expect(installed).toContain("'phy:/dev/vg/w2k3b,ioemu:hda,w'");
    expect(installed).toMatch(/^boot = 'c'$/m);
    expect(installed).toMatch(/^sdl = 0$/m);
    expect(installed).toMatch(/^vnc = 1$/m);
    expect(installed).toMatch(/^vncdisplay = 3$/m);
    expect(readlinkSync(path.join(dir, 'auto', 'ccs01'))).toBe(path.join(dir, 'ccs01.hvm'));
    expect(existsSync(path.join(dir, 'auto', 'w2k3'))).toBe(false);
    // Xen does not run here: nothing is started, and the run says why.
    expect(stdout).toContain('does not run the Xen hypervisor yet');
  });
});

describe('role documentation', () => {
  it('every role has README.md, meta/main.yml, and a comment above every default', () => {
    for (const role of ROLES) {
      const dir = path.join(repoRoot, 'roles', role);
      expect(existsSync(path.join(dir, 'README.md')), `${role}/README.md`).toBe(true);
      expect(parseYaml(readFileSync(path.join(dir, 'meta/main.yml'), 'utf8')).galaxy_info, `${role}/meta`).toBeTruthy();
      const lines = readFileSync(path.join(dir, 'defaults/main.yml'), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^[a-z_0-9]+:/.test(line)) expect(lines[i - 1], `${role} defaults: ${line}`).toMatch(/^#/);
      });
    }
  });

  it('docs/roles.md names every role variable and every task of site.yml', async () => {
    const doc = readFileSync(path.join(repoRoot, 'docs/roles.md'), 'utf8');
    for (const role of ROLES) {
      const defaults = parseYaml(readFileSync(path.join(repoRoot, 'roles', role, 'defaults/main.yml'), 'utf8')) as Record<string, unknown>;
      for (const v of Object.keys(defaults)) expect(doc, `${role}: ${v}`).toContain(`\`${v}\``);
    }
    const r = await runRackplay([site, '-i', rack, '--list-tasks'], { cwd: repoRoot });
    for (const t of listedTasks(r.stdout)) expect(doc, `${t.role} : ${t.task}`).toContain(t.task);
  });

  it('the howto typos are fixed, not copied', () => {
    const texts = readdirSync(path.join(repoRoot, 'roles'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.endsWith('.md'))
      .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
      .join('\n');
    // in the files that take effect, each typo appears only in comments that name it as the howto's
    for (const typo of ['/user/lib/xen', 'ioemu:had', '/def/cdrom', 'root(hd0,0)']) {
      for (const line of texts.split('\n').filter((l) => l.includes(typo))) expect(line, typo).toMatch(/^\s*(#|\{#|\/\/)|typo|howto/i);
    }
  });
});

describe.skipIf(!haveAnsiblePlaybook)('the same files under ansible-playbook (needs ansible-playbook, skipped without it: apt-get install ansible)', () => {
  it('pass ansible-playbook --syntax-check', () => {
    for (const pb of [site, 'playbooks/guests.yml']) {
      const out = execFileSync('ansible-playbook', ['--syntax-check', pb, '-i', rack], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toContain(`playbook: ${pb}`);
    }
  });

  it('list the same tasks with the same tags as rackplay', async () => {
    const ours = await runRackplay([site, '-i', rack, '--list-tasks'], { cwd: repoRoot });
    const theirs = await runCommand('ansible-playbook', [site, '-i', rack, '--list-tasks'], { cwd: repoRoot });
    expect(theirs.code).toBe(0);
    const key = (s: string) => listedTasks(s).filter((t) => t.play === 2).map((t) => `${t.role} : ${t.task} [${t.tags.join(',')}]`);
    expect(key(ours.stdout)).toEqual(key(theirs.stdout));
    expect(key(ours.stdout).length).toBeGreaterThan(40);
  });

  it('reject the autostart SDL guest the same way, without contacting a host', async () => {
    const inv = deadInventory({ xa: [{ name: 'ccs01', display: 'sdl', autostart: true }] });
    const r = await runCommand('ansible-playbook', [site, '-i', inv], { cwd: repoRoot, timeoutMs: 90_000, env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Guest ccs01 on xa has autostart: true with display: sdl');
    expect(r.stdout).not.toContain('UNREACHABLE');
  });
});

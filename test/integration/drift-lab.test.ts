// Issue 6's lab scenario: drift detection on three sl44 hosts over real SSH. Converge a
// config file, a package and a SysV service; tamper with all three on node02 from inside
// the host (as an admin would); `--check --detailed-exitcode` must then exit 10, its JSON
// report must name node02 and exactly those three tasks, and no file on any host may change
// during the check. A real run repairs it and the same check comes back clean.
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRecap, repoRoot, runRackplay } from '../helpers/cli.js';
import { hostShell, labHostVars, startLab, type Lab, type LabHost } from '../lab/lab.js';
import { validateReport } from '../unit/report-helpers.js';
import type { RunReport } from '../../src/output/report-json.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const fixture = path.join(repoRoot, 'test/fixtures/lab-drift');
const isRoot = process.getuid?.() === 0;
const TASKS = ['rackd config', 'bridge-utils installed', 'rackd enabled and running'];

// What the before/after comparison leaves out (paths relative to a host's root dir):
// - proc, dev, sys: mount points and device placeholders of the host's namespace (the kernel's
//   procfs, bind-mounted /dev/null and friends), not data a playbook manages;
// - var/log/sshd.log: sshd (LogLevel VERBOSE) logs every connection, so any run, even a
//   read-only one, appends to it.
// Nothing else: a measured --check run touched no other file. In particular the simulated
// rpm database, chkconfig's rc?.d links, the pid files in var/run (`service status` only
// reads them), /tmp, /run, the other logs (yum.log is written by installs) and the /usr
// overlay's upper and work layers (where any write to /usr would land) all stay compared,
// so a check that wrote or left behind anything there fails this test.
const EXCLUDED = ['proc', 'dev', 'sys', 'var/log/sshd.log'];

/** relative path → sha1:mode of every regular file (and symlink target) under a host root. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (EXCLUDED.includes(r)) continue;
      const full = path.join(root, r);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(r);
      else if (st.isSymbolicLink()) out[r] = `link:${readlinkSync(full)}`;
      else if (st.isFile()) out[r] = `${createHash('sha1').update(readFileSync(full)).digest('hex')}:${st.mode.toString(8)}:${st.uid}:${st.gid}`;
    }
  };
  walk('');
  return out;
}

function snapshotAll(lab: Lab): Record<string, Record<string, string>> {
  return Object.fromEntries(lab.hosts.map((h) => [h.name, snapshot(h.root)]));
}

describe.skipIf(!isRoot)('drift on a 3-host sl44 lab (needs root for the lab)', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-drift-lab-'));
  let lab: Lab;
  let inventory: string;
  const rackplay = (...args: string[]) =>
    runRackplay([path.join(fixture, 'site.yml'), '-i', inventory, ...args], { cwd: work, env: { CI: 'true', RACKPLAY_REPORT: '', ANSIBLE_CONFIG: '' }, timeoutMs: 60_000 });
  const sh = async (h: LabHost, cmd: string) => {
    const r = await hostShell(h, cmd);
    expect(r.rc, `${h.name}: ${cmd}\n${r.stdout}${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    lab = await startLab({ count: 3, flavor: 'sl44', dir: path.join(work, 'lab') });
    inventory = path.join(work, 'inventory.json');
    writeFileSync(inventory, JSON.stringify({ all: { hosts: Object.fromEntries(lab.hosts.map((h) => [h.name, labHostVars(lab, h)])) } }));
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('converges, finds only the tampered host and tasks without writing anything, repairs, and checks clean', async () => {
    for (const h of lab.hosts) expect((await hostShell(h, 'rpm -q bridge-utils')).rc).not.toBe(0);

    const first = await rackplay('--detailed-exitcode');
    expect(first.code, first.stdout + first.stderr).toBe(10);
    for (const h of lab.hosts) expect(parseRecap(first.stdout)[h.name]).toMatchObject({ changed: 4, failed: 0, unreachable: 0 });
    for (const h of lab.hosts) {
      expect(await sh(h, 'cat /etc/rackd.conf')).toBe(`# rackd configuration for ${h.name} (managed by rackplay)\nlisten = 0.0.0.0:7070\nworkers = 4\nbridge = xenbr0\n`);
      expect(await sh(h, 'rpm -q bridge-utils')).toBe('bridge-utils-1.0.4-4\n');
      // chkconfig 1.3's bare `on` (what service's enabled: true runs) means runlevels 2-5.
      expect(await sh(h, 'chkconfig --list rackd')).toMatch(/^rackd\s+0:off\s+1:off\s+2:on\s+3:on\s+4:on\s+5:on\s+6:off\s*$/);
      expect(await sh(h, 'service rackd status')).toMatch(/^rackd \(pid \d+\) is running\.\.\./);
    }

    const again = await rackplay('--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    for (const h of lab.hosts) expect(parseRecap(again.stdout)[h.name]).toMatchObject({ changed: 0, failed: 0 });

    const converged = snapshotAll(lab);
    // Tamper with node02 from inside the host, behind rackplay's back.
    const node02 = lab.hosts.find((h) => h.name === 'node02')!;
    await sh(node02, "sed -i 's/^workers = 4$/workers = 64/' /etc/rackd.conf && grep -q '^workers = 64$' /etc/rackd.conf");
    await sh(node02, 'chkconfig rackd off');
    await sh(node02, 'rpm -e bridge-utils');
    expect((await hostShell(node02, 'rpm -q bridge-utils')).rc).not.toBe(0);

    // The snapshot sees this kind of change: the tampering shows up in it, on node02 only.
    const tampered = snapshotAll(lab);
    const changedPaths = (a: Record<string, string>, b: Record<string, string>) =>
      [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
    expect(changedPaths(converged.node02, tampered.node02)).toEqual(
      expect.arrayContaining(['etc/rackd.conf', 'etc/rc.d/rc3.d/S85rackd', 'etc/rc.d/rc3.d/K15rackd', 'var/lib/rackplay-sim/rpmdb']),
    );
    for (const h of ['node01', 'node03']) expect(changedPaths(converged[h], tampered[h])).toEqual([]);

    const before = tampered;
    const report = path.join(work, 'reports/drift.json');
    const check = await rackplay('--check', '--diff', '--detailed-exitcode', '--report', `json=${report}`);
    expect(check.code, check.stdout + check.stderr).toBe(10);
    const after = snapshotAll(lab);
    for (const h of lab.hosts) {
      // Sanity: the snapshot really covers the managed files and the simulated state.
      expect(Object.keys(before[h.name])).toEqual(expect.arrayContaining(['etc/rackd.conf', 'var/lib/rackplay-sim/rpmdb', 'etc/rc.d/init.d/rackd']));
      expect(after[h.name], `files changed on ${h.name} during --check`).toEqual(before[h.name]);
    }

    const doc = JSON.parse(readFileSync(report, 'utf8')) as RunReport;
    expect(validateReport(doc).errors).toBeNull();
    expect(doc.run).toMatchObject({ check: true, exit_code: 10, detailed_exitcode: true });
    const changed = doc.tasks.flatMap((t) => t.results.filter((r) => r.changed).map((r) => [r.host, t.name]));
    expect(changed).toEqual(TASKS.map((t) => ['node02', t]));
    expect(doc.tasks.flatMap((t) => t.results.filter((r) => r.status === 'failed' || r.status === 'unreachable'))).toEqual([]);
    const drifted = doc.drift.hosts.filter((h) => h.changed > 0);
    expect(drifted.map((h) => h.host)).toEqual(['node02']);
    expect(drifted[0].roles.flatMap((g) => g.tasks.map((t) => t.name))).toEqual(TASKS);
    const confDiff = drifted[0].roles.flatMap((g) => g.tasks).find((t) => t.name === 'rackd config')!.diff![0]!;
    expect(confDiff.before).toContain('workers = 64');
    expect(confDiff.after).toContain('workers = 4');
    expect(doc.recap.node02).toMatchObject({ changed: 3, failed: 0 });
    for (const h of ['node01', 'node03']) expect(doc.recap[h]).toMatchObject({ changed: 0, failed: 0 });
    // The check left node02 as tampered.
    expect(await sh(node02, 'chkconfig --list rackd')).toMatch(/3:off\s+4:off\s+5:off/);

    const repair = await rackplay('--detailed-exitcode');
    expect(repair.code, repair.stdout + repair.stderr).toBe(10);
    const repairRecap = parseRecap(repair.stdout);
    expect(repairRecap.node02).toMatchObject({ changed: 3, failed: 0 });
    for (const h of ['node01', 'node03']) expect(repairRecap[h]).toMatchObject({ changed: 0, failed: 0 });
    expect(await sh(node02, 'grep ^workers /etc/rackd.conf')).toBe('workers = 4\n');
    expect(await sh(node02, 'rpm -q bridge-utils')).toBe('bridge-utils-1.0.4-4\n');
    expect(await sh(node02, 'chkconfig --list rackd')).toMatch(/3:on\s+4:on\s+5:on/);

    const recheckReport = path.join(work, 'reports/after.json');
    const recheck = await rackplay('--check', '--detailed-exitcode', '--report', `json=${recheckReport}`);
    expect(recheck.code, recheck.stdout + recheck.stderr).toBe(0);
    const afterDoc = JSON.parse(readFileSync(recheckReport, 'utf8')) as RunReport;
    expect(afterDoc.drift.changed).toBe(0);
    expect(afterDoc.run.exit_code).toBe(0);
  });
});

// Slices on a scheduler that exists: a Slurm job array (Debian's slurm-wlm, controller and
// node on this machine) runs `--slice K/4` over 200 lab hosts, one array task per slice,
// and `rackplay report merge` of their reports equals the report of one unsliced run over
// the same hosts, for a converge (with failing hosts) and for the no-op re-run after it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLab, type Lab } from '../lab/lab.js';
import { rackplayBin, runCommand, runRackplay } from '../helpers/cli.js';
import { normalizedReport } from '../lab/report-compare.js';
import { haveSlurm, startSlurm, type SlurmCluster } from '../lab/slurm.js';
import { writeInventory } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 300_000 });

const HOSTS = 200;
const SLICES = 4;
const root = mkdtempSync(path.join(os.tmpdir(), 'rackplay-slurm-'));
let lab: Lab | undefined;
let slurm: SlurmCluster | undefined;
let inv = '';

beforeAll(async () => {
  if (!haveSlurm) return;
  lab = await startLab({ count: HOSTS, dir: path.join(root, 'lab'), namePrefix: 'sq' });
  inv = writeInventory(root, lab, lab.hosts);
  slurm = await startSlurm(path.join(root, 'slurm'));
});
afterAll(async () => {
  await slurm?.stop();
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

writeFileSync(
  path.join(root, 'site.yml'),
  `- hosts: all
  gather_facts: false
  tasks:
    - file: { path: /srv/slice, state: directory, mode: "0755" }
    - copy: { dest: /srv/slice/name, content: "{{ inventory_hostname }}\\n" }
    - lineinfile: { path: /srv/slice/conf, line: "slices=${SLICES}", create: true }
    - copy: { dest: "/srv/slice/{{ item }}", content: "{{ item }}\\n" }
      loop: [a, b]
    - name: fails on the hosts whose name ends in 7
      command: /bin/false
      when: inventory_hostname is match('.*7$')
    - command: "true"
      changed_when: false
`,
);

/** One run over all hosts, its report in `name`-whole.json. */
async function whole(name: string): Promise<number> {
  const r = await runRackplay(['-i', inv, 'site.yml', '--report', `json=${name}-whole.json`], { cwd: root, timeoutMs: 300_000 });
  return r.code;
}

/** The slices as one Slurm job array, then the merge of their reports into `name`-merged.json. */
async function onSlurm(name: string) {
  const script = path.join(root, `${name}.sh`);
  writeFileSync(script, `#!/bin/sh\nexec ${process.execPath} ${rackplayBin} -i ${inv} site.yml --slice "$SLURM_ARRAY_TASK_ID/${SLICES}" --report "json=${name}-$SLURM_ARRAY_TASK_ID.json"\n`);
  const job = await runCommand('sbatch', [`--array=1-${SLICES}`, '--wait', `--chdir=${root}`, `--output=${root}/${name}-%a.out`, script], { env: slurm!.env, timeoutMs: 300_000 });
  const reports = Array.from({ length: SLICES }, (_, i) => `${name}-${i + 1}.json`);
  const merged = await runRackplay(['report', 'merge', ...reports, '--report', `json=${name}-merged.json`], { cwd: root });
  return { job, reports, merged };
}

function wipe(): void {
  for (const h of lab!.hosts) rmSync(path.join(h.root, 'srv/slice'), { recursive: true, force: true });
}

describe.skipIf(!haveSlurm)(`${SLICES} slices of ${HOSTS} hosts as a Slurm job array (needs Slurm: apt-get install slurm-wlm)`, () => {
  it('a converge: the merged report equals the unsliced run (exit 2: the hosts ending in 7 fail)', async () => {
    wipe();
    expect(await whole('converge')).toBe(2);
    wipe();
    const s = await onSlurm('converge');
    // sbatch --wait returns the highest exit code of the array's tasks.
    expect(s.job.code, s.job.stdout + s.job.stderr).toBe(2);
    for (const f of s.reports) expect(existsSync(path.join(root, f)), `${f}: ${readFileSync(path.join(root, f.replace('.json', '.out')), 'utf8')}`).toBe(true);
    // Each array task ran its slice only: about a quarter of the hosts each, all hosts once.
    const sizes = s.reports.map((f) => JSON.parse(readFileSync(path.join(root, f), 'utf8')).hosts.length as number);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(HOSTS);
    for (const n of sizes) expect(n).toBeGreaterThan(HOSTS / SLICES / 2);
    expect(s.merged.code, s.merged.stdout + s.merged.stderr).toBe(2);
    expect(normalizedReport(path.join(root, 'converge-merged.json'))).toEqual(normalizedReport(path.join(root, 'converge-whole.json')));
    const merged = JSON.parse(readFileSync(path.join(root, 'converge-merged.json'), 'utf8'));
    expect(Object.keys(merged.recap)).toHaveLength(HOSTS);
    expect(Object.values(merged.recap).filter((st) => (st as { failed: number }).failed === 1)).toHaveLength(HOSTS / 10);
  });

  it('the no-op re-run: the same, with nothing changed', async () => {
    expect(await whole('noop')).toBe(2);
    const s = await onSlurm('noop');
    expect(s.merged.code, s.merged.stdout + s.merged.stderr).toBe(2);
    expect(normalizedReport(path.join(root, 'noop-merged.json'))).toEqual(normalizedReport(path.join(root, 'noop-whole.json')));
    const merged = JSON.parse(readFileSync(path.join(root, 'noop-merged.json'), 'utf8'));
    expect(Object.values(merged.recap).every((st) => (st as { changed: number }).changed === 0)).toBe(true);
  });
});

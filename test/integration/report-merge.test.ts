// --slice K/N and `rackplay report merge`: three slices of a run, merged, report what one
// unsliced run over the same hosts reports: recap, drift, results and exit code. The hosts
// are this machine (ansible_connection=local), each writing under its own name.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRackplay } from '../helpers/cli.js';
import { normalizedReport } from '../lab/report-compare.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-report-merge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTS = Array.from({ length: 12 }, (_, i) => `h${String(i + 1).padStart(2, '0')}`);
writeFileSync(path.join(dir, 'inv.ini'), `[rack]\n${HOSTS.map((h) => `${h} ansible_connection=local`).join('\n')}\n`);
writeFileSync(
  path.join(dir, 'site.yml'),
  `- hosts: rack
  gather_facts: false
  tasks:
    - name: a file per host
      copy: { dest: "{{ out }}/{{ inventory_hostname }}.txt", content: "{{ inventory_hostname }}\\n" }
    - name: fails on two hosts
      command: /bin/false
      when: inventory_hostname in ['h03', 'h07']
    - name: only some hosts
      debug: { msg: "{{ inventory_hostname }} has a one" }
      when: inventory_hostname is search('1')
    - name: a loop
      copy: { dest: "{{ out }}/{{ inventory_hostname }}-{{ item }}.txt", content: "{{ item }}\\n" }
      loop: [a, b]
- name: second play
  hosts: rack
  gather_facts: false
  order: reverse_inventory
  tasks:
    - command: "true"
      changed_when: false
`,
);

/** The report without what differs from run to run, the output directory named OUT. */
const normalized = (file: string, out: string) => normalizedReport(file, [[out, 'OUT']]);

async function slicedAndWhole(name: string, extra: string[]) {
  const whole = path.join(dir, `${name}-whole`);
  const sliced = path.join(dir, `${name}-sliced`);
  mkdirSync(whole);
  mkdirSync(sliced);
  const full = await runRackplay(['-i', 'inv.ini', 'site.yml', '-e', `out=${whole}`, '--report', `json=${name}-whole.json`, ...extra], { cwd: dir });
  const slices = [];
  for (let k = 1; k <= 3; k++) {
    slices.push(await runRackplay(['-i', 'inv.ini', 'site.yml', '-e', `out=${sliced}`, '--slice', `${k}/3`, '--report', `json=${name}-${k}.json`, ...extra], { cwd: dir }));
  }
  const merged = await runRackplay(['report', 'merge', ...[1, 2, 3].map((k) => `${name}-${k}.json`), '--report', `json=${name}-merged.json`, '--report', `html=${name}-merged.html`], { cwd: dir });
  return { full, slices, merged, whole, sliced };
}

describe('report merge of the slices of a run', () => {
  it('a converge: each slice runs its own hosts; the merge equals the unsliced run, exit code 2 included', async () => {
    const r = await slicedAndWhole('apply', []);
    expect(r.full.code, r.full.stdout + r.full.stderr).toBe(2);
    // Each host ran in one slice only, and all of them ran.
    const ran = r.slices.map((s) => [...s.stdout.matchAll(/^changed: \[(h\d\d)\]$/gm)].map((m) => m[1]).filter((h, i, a) => a.indexOf(h) === i));
    expect(ran.flat().sort()).toEqual(HOSTS);
    ran.forEach((hosts) => expect(hosts.length).toBeGreaterThan(0));
    expect(r.merged.code, r.merged.stdout + r.merged.stderr).toBe(2);
    expect(normalized(path.join(dir, 'apply-merged.json'), r.sliced)).toEqual(normalized(path.join(dir, 'apply-whole.json'), r.whole));
    expect(r.merged.stdout).toMatch(/PLAY RECAP/);
    expect(r.merged.stdout).toMatch(/^h03 +: ok=1 +changed=1 +unreachable=0 +failed=1/m);
    expect(readFileSync(path.join(dir, 'apply-merged.html'), 'utf8')).toMatch(/<html[\s\S]*h12/);
  });

  it('a check run with --detailed-exitcode: the same drift and exit code 10', async () => {
    const r = await slicedAndWhole('check', ['--check', '--diff', '--detailed-exitcode']);
    expect(r.full.code, r.full.stdout + r.full.stderr).toBe(10);
    expect(r.merged.code, r.merged.stdout + r.merged.stderr).toBe(10);
    expect(normalized(path.join(dir, 'check-merged.json'), r.sliced)).toEqual(normalized(path.join(dir, 'check-whole.json'), r.whole));
    const merged = JSON.parse(readFileSync(path.join(dir, 'check-merged.json'), 'utf8'));
    expect(merged.drift.hosts).toHaveLength(12);
    expect(merged.run.merged_from).toEqual(['check-1.json', 'check-2.json', 'check-3.json']);
    expect(r.merged.stdout).toMatch(/would change/i);
  });

  it('refuses a missing slice, a slice given twice and reports of different runs, saying which', async () => {
    const missing = await runRackplay(['report', 'merge', 'apply-1.json', 'apply-3.json'], { cwd: dir });
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(/slice 2\/3 missing/);
    expect(missing.stderr).toMatch(/hint: give all 3 reports/);
    const twice = await runRackplay(['report', 'merge', 'apply-1.json', 'apply-1.json', 'apply-2.json'], { cwd: dir });
    expect(twice.stderr).toMatch(/apply-1.json and apply-1.json are both slice 1\/3/);
    const mixed = await runRackplay(['report', 'merge', 'apply-1.json', 'check-2.json', 'apply-3.json'], { cwd: dir });
    expect(mixed.stderr).toMatch(/apply-1.json and check-2.json are not slices of one run: their check differs/);
    const absent = await runRackplay(['report', 'merge', 'nope.json'], { cwd: dir });
    expect(absent.stderr).toMatch(/cannot read the JSON report nope.json: no such file/);
    expect(`${missing.stderr}${twice.stderr}${mixed.stderr}${absent.stderr}`).not.toMatch(/\n\s+at /);
  });

  it('--slice refuses K/N out of range before any host is contacted', async () => {
    const r = await runRackplay(['-i', 'inv.ini', 'site.yml', '-e', `out=${dir}/never`, '--slice', '4/3'], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/--slice expects K\/N with 1 <= K <= N, got '4\/3'/);
    expect(r.stdout).not.toMatch(/TASK/);
  });
});

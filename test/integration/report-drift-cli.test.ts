// The drift workflow end to end with the real CLI on local-connection hosts: converge,
// tamper with one file, check with --detailed-exitcode and all three reports, repair,
// check again.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runRackplay } from '../helpers/cli.js';
import { validateReport } from '../unit/report-helpers.js';
import type { RunReport } from '../../src/output/report-json.js';

const fixture = path.join(repoRoot, 'test/fixtures/drift');
const XSD = path.join(repoRoot, 'test/fixtures/junit/jenkins-junit.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

/** path → sha1 of every file under dir. */
function checksums(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha1').update(readFileSync(p)).digest('hex') + ':' + statSync(p).mode.toString(8);
    }
  };
  walk(dir);
  return out;
}

describe('drift check on a converged fixture', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-drift-'));
  const out = path.join(work, 'hosts');
  const reports = path.join(work, 'reports');
  const rackplay = (...args: string[]) => runRackplay([path.join(fixture, 'site.yml'), '-i', path.join(fixture, 'inventory.ini'), '-e', `out_dir=${out}`, ...args], { cwd: work, env: { CI: 'true', RACKPLAY_REPORT: '' } });

  beforeAll(async () => {
    // Made here: two hosts creating a missing parent at once race in the file module.
    mkdirSync(out, { recursive: true });
    const first = await rackplay('--detailed-exitcode');
    // Converging changes things: 10.
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 10, stderr: '' });
  });

  it('a second run and a check of the converged hosts both return 0', async () => {
    const again = await rackplay('--detailed-exitcode');
    expect(again.code).toBe(0);
    const check = await rackplay('--check', '--detailed-exitcode');
    expect(check.code).toBe(0);
    // The command that check mode cannot predict is unknown, not drift.
    expect(check.stdout).toContain('DRIFT SUMMARY');
    expect(check.stdout).toContain('alpha: 0 tasks would change, 1 unknown');
    expect(check.stdout).toContain('no drift: nothing would change');
  });

  it('without --detailed-exitcode a check with drift still returns 0', async () => {
    const before = checksums(out);
    appendFileSync(path.join(out, 'alpha', 'limits.conf'), '# local edit\n');
    const tampered = checksums(out);
    const check = await rackplay('--check');
    expect(check.code).toBe(0);
    expect(checksums(out)).toEqual(tampered);
    // Put it back as it was for the next test.
    writeFileSync(path.join(out, 'alpha', 'limits.conf'), 'nofile 4096\n');
    expect(checksums(out)).toEqual(before);
  });

  it('after tampering, the check returns 10, changes nothing, and the reports name only the tampered host and task', async () => {
    appendFileSync(path.join(out, 'beta', 'app.conf'), 'workers = 64\n');
    const before = checksums(out);
    const check = await rackplay('--check', '--diff', '--detailed-exitcode', '--report', `json=${reports}/drift.json`, '--report', `junit=${reports}/drift.xml`, '--report', `html=${reports}/drift.html`);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(10);
    expect(checksums(out)).toEqual(before);

    // Terminal: the summary after the recap, with the diff.
    const summary = check.stdout.slice(check.stdout.indexOf('DRIFT SUMMARY'));
    expect(check.stdout.indexOf('DRIFT SUMMARY')).toBeGreaterThan(check.stdout.indexOf('PLAY RECAP'));
    expect(summary).toContain('beta: 1 task would change, 1 unknown\n  role app:\n    app config\n');
    expect(summary).toContain('      -workers = 64');
    expect(summary).toContain('total: 1 change on 1 host, 2 unknown');

    const doc = JSON.parse(readFileSync(path.join(reports, 'drift.json'), 'utf8')) as RunReport;
    expect(validateReport(doc).errors).toBeNull();
    expect(doc.run).toMatchObject({ check: true, diff: true, exit_code: 10, detailed_exitcode: true });
    expect(doc.run.command_line).toContain('--check');
    const changed = doc.tasks.flatMap((t) => t.results.filter((r) => r.changed).map((r) => [r.host, t.name]));
    expect(changed).toEqual([['beta', 'app : app config']]);
    expect(doc.drift.hosts.filter((h) => h.changed > 0).map((h) => [h.host, h.roles.flatMap((g) => g.tasks.map((t) => t.name))])).toEqual([['beta', ['app : app config']]]);
    expect(doc.drift.hosts.find((h) => h.host === 'beta')!.roles[0]!.tasks[0]!.diff![0]!.before).toContain('workers = 64');
    expect(doc.recap.beta).toMatchObject({ changed: 1, failed: 0 });
    expect(doc.recap.alpha).toMatchObject({ changed: 0, failed: 0 });

    const xml = readFileSync(path.join(reports, 'drift.xml'), 'utf8');
    expect(xml.match(/<failure type="drift"/g)).toHaveLength(1);
    expect(/<testsuite name="beta"[\s\S]*?<\/testsuite>/.exec(xml)![0]).toContain('<testcase name="app : app config" classname="Drift fixture.app"');
    expect(readFileSync(path.join(reports, 'drift.html'), 'utf8')).toContain('<li data-host="beta"><strong>beta</strong>: 1 would change');

    // Repair, then the same check finds nothing.
    const repair = await rackplay('--detailed-exitcode');
    expect(repair.code).toBe(10);
    expect(readFileSync(path.join(out, 'beta', 'app.conf'), 'utf8')).not.toContain('workers = 64');
    const recheck = await rackplay('--check', '--detailed-exitcode', '--report', `json=${reports}/after.json`);
    expect(recheck.code).toBe(0);
    const after = JSON.parse(readFileSync(path.join(reports, 'after.json'), 'utf8')) as RunReport;
    expect(after.drift.changed).toBe(0);
    expect(after.run.exit_code).toBe(0);
  });

  it.skipIf(!hasXmllint)('the drift JUnit report validates against the schema (needs xmllint, skipped without it: apt-get install libxml2-utils)', () => {
    const file = path.join(reports, 'drift.xml');
    expect(existsSync(file), 'the tampering test above wrote no drift.xml').toBe(true);
    const v = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
    expect(v.stderr).toContain('validates');
  });

  it('failures keep their exit code over changes', async () => {
    const r = await runRackplay([path.join(fixture, 'site.yml'), '-i', path.join(fixture, 'inventory.ini'), '-e', 'out_dir=/dev/null/nowhere', '--detailed-exitcode'], { cwd: work, env: { CI: 'true' } });
    expect(r.code).toBe(2);
  });

  it('takes reports from RACKPLAY_REPORT and from ansible.cfg [rackplay] report', async () => {
    const envRun = await runRackplay([path.join(fixture, 'site.yml'), '-i', path.join(fixture, 'inventory.ini'), '-e', `out_dir=${out}`, '--check'], {
      cwd: work,
      env: { CI: 'true', RACKPLAY_REPORT: 'json=from-env/r.json' },
    });
    expect(envRun.code).toBe(0);
    expect(existsSync(path.join(work, 'from-env/r.json'))).toBe(true);
    const cfgDir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-cfg-'));
    writeFileSync(path.join(cfgDir, 'ansible.cfg'), '[rackplay]\nreport = junit=cfg-reports/r.xml\n');
    const cfgRun = await runRackplay([path.join(fixture, 'site.yml'), '-i', path.join(fixture, 'inventory.ini'), '-e', `out_dir=${out}`, '--check'], {
      cwd: cfgDir,
      env: { CI: 'true', RACKPLAY_REPORT: '', ANSIBLE_CONFIG: '' },
    });
    expect(cfgRun.stderr).toBe('');
    expect(readFileSync(path.join(cfgDir, 'cfg-reports/r.xml'), 'utf8')).toContain('<testsuite name="alpha"');
  });

  it('rejects a bad --report before running anything', async () => {
    const r = await rackplay('--report', 'xml=r.xml');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("ERROR! --report: unknown report format 'xml'");
    expect(r.stdout).toBe('');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRunReport } from '../../src/output/report-json.js';
import { renderJunitReport } from '../../src/output/report-junit.js';
import { RunRecorder } from '../../src/output/run-record.js';
import { SecretMasker } from '../../src/output/secret-masker.js';
import type { RunEvent } from '../../src/output/events.js';
import { checkRunEvents, repoRoot, result, taskRef } from './report-helpers.js';

const XSD = path.join(repoRoot, 'test/fixtures/junit/jenkins-junit.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

function junitOf(events: RunEvent[], masker?: SecretMasker): string {
  const rec = new RunRecorder();
  events.forEach((e) => rec.handle(e));
  return renderJunitReport(buildRunReport(rec.finish(), { version: '1.0.0', commandLine: [], exitCode: 0, detailedExitcode: false }), masker);
}

function xmllint(xml: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'junit-'));
  const file = path.join(dir, 'report.xml');
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
  return { ok: r.status === 0, out: r.stderr };
}

/** The <testsuite name=host> element's text. */
function suite(xml: string, host: string): string {
  const m = new RegExp(`<testsuite name="${host}"[\\s\\S]*?</testsuite>`).exec(xml);
  if (!m) throw new Error(`no suite for ${host}`);
  return m[0];
}

describe('JUnit report', () => {
  it.skipIf(!hasXmllint)('validates against the Jenkins JUnit schema (xmllint), and the schema rejects a broken file', () => {
    const xml = junitOf(checkRunEvents());
    const v = xmllint(xml);
    expect(v.out).toContain('validates');
    expect(v.ok).toBe(true);
    expect(xmllint(xml.replace('<testsuite name="web1"', '<testsuite nome="web1"')).ok).toBe(false);
  });

  it('has one testsuite per host and one testcase per task that ran on it', () => {
    const xml = junitOf(checkRunEvents());
    expect([...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['web1', 'web2', 'db1']);
    expect(suite(xml, 'web1').match(/<testcase /g)).toHaveLength(5);
    expect(suite(xml, 'db1').match(/<testcase /g)).toHaveLength(1);
    expect(xml).toMatch(/<testsuites name="rackplay site.yml \(check\)" tests="11" failures="3"/);
  });

  it('in check mode reports drift as a failure of type drift carrying the diff, unknowns and skips as skipped', () => {
    const web1 = suite(junitOf(checkRunEvents()), 'web1');
    expect(web1).toMatch(/tests="5" failures="2" errors="0" skipped="1"/);
    expect(web1).toContain('<testcase name="nginx : config" classname="web.nginx" time="0.012">\n      <failure type="drift" message="would change">--- before: /etc/app.conf\n+++ after: /etc/app.conf\n');
    expect(web1).toContain('<skipped message="check mode cannot predict this task"/>');
    const web2 = suite(junitOf(checkRunEvents()), 'web2');
    expect(web2).toContain('<testcase name="limits" classname="web" time="0.012">\n      <skipped message="skipped"/>');
    expect(web2).not.toContain('<failure');
  });

  it('reports a failed task as a failure with its message and stderr', () => {
    const db1 = suite(junitOf(checkRunEvents()), 'db1');
    expect(db1).toContain('<failure type="failed" message="Permission denied: /srv">Permission denied: /srv\nmkdir: cannot create directory</failure>');
  });

  it('does not count changes as failures when applying, nor ignored failures', () => {
    const xml = junitOf(checkRunEvents(false));
    expect(suite(xml, 'web1')).not.toContain('type="drift"');
    const t = taskRef('may fail');
    const ignored = junitOf([{ kind: 'playbook-start', path: 'p', check: false, diff: false }, result(t, 'h', 'failed', { msg: 'nope' }, { ignored: true })]);
    expect(ignored).toContain('failures="0"');
  });

  it('escapes XML and masks secrets', () => {
    const m = new SecretMasker();
    m.add('topsecret');
    const t = taskRef('a <b> & "c" topsecret');
    const xml = junitOf([{ kind: 'playbook-start', path: 'p', check: false, diff: false }, result(t, 'h', 'failed', { msg: 'bad \u0001 <x> topsecret' })], m);
    expect(xml).toContain('name="a &lt;b&gt; &amp; &quot;c&quot; ********"');
    expect(xml).not.toContain('topsecret');
    expect(xml).not.toContain('\u0001');
  });

  it.skipIf(!hasXmllint)('the escaped, masked file still validates (needs xmllint, skipped without it: apt-get install libxml2-utils)', () => {
    const m = new SecretMasker();
    m.add('topsecret');
    const t = taskRef('a <b> & "c" topsecret');
    const xml = junitOf([{ kind: 'playbook-start', path: 'p', check: false, diff: false }, result(t, 'h', 'failed', { msg: 'bad \u0001 <x> topsecret' })], m);
    expect(xmllint(xml).ok).toBe(true);
  });
});

// Keeps the reason visible in the test output when xmllint is missing.
describe.runIf(!hasXmllint)('JUnit schema validation', () => {
  it.skip('needs xmllint (Debian: apt-get install libxml2-utils)', () => {});
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseReportSpec, resolveReportSpecs } from '../../src/output/report-spec.js';

const cwd = '/srv/run';

function error(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('--report FORMAT=PATH', () => {
  it('parses each format and resolves relative paths against the working directory', () => {
    expect(parseReportSpec('json=out/r.json', { baseDir: cwd, where: '--report' })).toEqual({ format: 'json', path: '/srv/run/out/r.json' });
    expect(parseReportSpec('JUnit=/tmp/x.xml', { baseDir: cwd, where: '--report' })).toEqual({ format: 'junit', path: '/tmp/x.xml' });
    expect(parseReportSpec(' html = r.html ', { baseDir: cwd, where: '--report' }).path).toBe('/srv/run/r.html');
  });

  it('rejects an unknown format with a near-miss hint, and a missing path', () => {
    const e = error(() => parseReportSpec('jnuit=x.xml', { baseDir: cwd, where: '--report' }));
    expect(e.message).toBe("--report: unknown report format 'jnuit'");
    expect(e.hint).toContain("did you mean 'junit'?");
    expect(e.exitCode).toBe(5);
    expect(error(() => parseReportSpec('json=', { baseDir: cwd, where: '--report' })).message).toContain('needs a path');
    expect(error(() => parseReportSpec('report.json', { baseDir: cwd, where: '--report' })).message).toContain('expected FORMAT=PATH');
  });

  it('takes the command line first, then RACKPLAY_REPORT, then ansible.cfg [rackplay] report', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const cfg = path.join(dir, 'ansible.cfg');
    writeFileSync(cfg, '[defaults]\nforks = 5\n\n[rackplay]\nreport = junit=reports/r.xml, html=reports/r.html ; comment\n');
    const env = { RACKPLAY_REPORT: 'json=env.json' };
    expect(resolveReportSpecs({ cli: ['html=cli.html'], env, configFile: cfg, cwd })).toEqual([{ format: 'html', path: '/srv/run/cli.html' }]);
    expect(resolveReportSpecs({ cli: [], env, configFile: cfg, cwd })).toEqual([{ format: 'json', path: '/srv/run/env.json' }]);
    // Relative to the config file, as Ansible resolves path settings.
    expect(resolveReportSpecs({ cli: [], env: {}, configFile: cfg, cwd })).toEqual([
      { format: 'junit', path: path.join(dir, 'reports/r.xml') },
      { format: 'html', path: path.join(dir, 'reports/r.html') },
    ]);
    expect(resolveReportSpecs({ cli: [], env: {}, cwd })).toEqual([]);
  });

  it('points at the ansible.cfg line of a bad setting', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    const cfg = path.join(dir, 'ansible.cfg');
    writeFileSync(cfg, '[rackplay]\n\n  report = xml=r.xml\n');
    const e = error(() => resolveReportSpecs({ cli: [], env: {}, configFile: cfg, cwd }));
    expect(e.pos).toEqual({ file: cfg, line: 3, col: 3 });
    expect(e.message).toContain("unknown report format 'xml'");
  });

  it('refuses two reports into one file', () => {
    const e = error(() => resolveReportSpecs({ cli: ['json=a.out', 'html=a.out'], env: {}, cwd }));
    expect(e.message).toContain('same file /srv/run/a.out');
  });
});

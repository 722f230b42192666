import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/output/report-html.js';
import { buildRunReport } from '../../src/output/report-json.js';
import { RunRecorder } from '../../src/output/run-record.js';
import { SecretMasker } from '../../src/output/secret-masker.js';
import type { RunEvent } from '../../src/output/events.js';
import { checkRunEvents, result, taskRef } from './report-helpers.js';

function htmlOf(events: RunEvent[], masker?: SecretMasker): string {
  const rec = new RunRecorder();
  events.forEach((e) => rec.handle(e));
  return renderHtmlReport(buildRunReport(rec.finish(), { version: '1.2.3', commandLine: ['site.yml', '--check'], exitCode: 10, detailedExitcode: true }), masker);
}

describe('HTML report (as text; the browser test opens it)', () => {
  it('is one self-contained file: no external URL, script or stylesheet', () => {
    const html = htmlOf(checkRunEvents());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('has a row per task and a column per host, each cell classed by status', () => {
    const html = htmlOf(checkRunEvents());
    expect(html.match(/<tr class="task-row"/g)).toHaveLength(5);
    const conf = /<tr class="task-row"[^>]*data-role="nginx" data-tags="nginx config"[^>]*>[\s\S]*?<\/tr>/.exec(html)![0];
    expect(conf).toContain('data-statuses="changed ok"');
    expect([...conf.matchAll(/<td class="cell s-(\w+)/g)].map((m) => m[1])).toEqual(['changed', 'ok', 'none']);
    expect(html).toMatch(/data-count="unknown">unknown: <b>2<\/b>/);
    expect(html).toMatch(/data-count="failed">failed: <b>1<\/b>/);
  });

  it('puts each diff in a hidden row its cell toggles', () => {
    const html = htmlOf(checkRunEvents());
    const cell = /<td class="cell s-changed has-diff"[^>]*data-diff="(diff-\d+)"/.exec(html)!;
    const row = new RegExp(`<tr class="diff-row" id="${cell[1]}"[^>]*hidden>[\\s\\S]*?</tr>`).exec(html)![0];
    expect(row).toContain('<span class="dd">-listen = 80</span>');
    expect(row).toContain('<span class="da">+listen = 8080</span>');
  });

  it('offers role, tag and status filters built from the run', () => {
    const html = htmlOf(checkRunEvents());
    const select = (id: string) => [...new RegExp(`<select id="${id}">([\\s\\S]*?)</select>`).exec(html)![1]!.matchAll(/value="([^"]*)"/g)].map((m) => m[1]);
    expect(select('filter-role')).toEqual(['', '', 'nginx']);
    expect(select('filter-tag')).toEqual(['', 'config', 'nginx', 'setup']);
    expect(select('filter-status')).toContain('unknown');
  });

  it('shows the recap and the drift', () => {
    const html = htmlOf(checkRunEvents());
    expect(html).toMatch(/<tr data-host="web1"><th class="s-changed">web1<\/th><td data-stat="ok">4<\/td><td data-stat="changed">2<\/td>/);
    expect(html).toMatch(/<tr data-host="db1"><th class="s-failed">db1<\/th>/);
    expect(html).toContain('<li data-host="web1"><strong>web1</strong>: 2 would change, 1 unknown');
  });

  it('escapes names and masks secrets', () => {
    const m = new SecretMasker();
    m.add('pa55word');
    const t = taskRef('<script>alert(1)</script> pa55word');
    const html = htmlOf([{ kind: 'playbook-start', path: 'p', check: false, diff: true }, result(t, 'h"x', 'changed', { diff: { before: '', after: 'pa55word</pre>' } })], m);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; ********');
    expect(html).not.toContain('pa55word');
    expect(html).toContain('data-host="h&quot;x"');
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultReporter } from '../../src/output/default-reporter.js';
import { formatElapsed, isCI, shouldUseLiveView } from '../../src/output/live-view.js';
import type { ReporterOptions } from '../../src/output/options.js';
import { createRunOutput } from '../../src/output/run-output.js';
import { SecretMasker } from '../../src/output/secret-masker.js';
import { checkRunEvents, validateReport } from './report-helpers.js';

function options(sink: { out: string }, extra: Partial<ReporterOptions> = {}): ReporterOptions {
  return { verbosity: 0, color: false, diff: false, check: true, write: (t) => void (sink.out += t), writeErr: () => undefined, ...extra };
}

describe('when to draw the live view', () => {
  it('only on a terminal, outside CI, without --plain, for the default stdout callback', () => {
    expect(shouldUseLiveView({ isTTY: true, env: {}, plain: false })).toBe(true);
    expect(shouldUseLiveView({ isTTY: false, env: {}, plain: false })).toBe(false);
    expect(shouldUseLiveView({ isTTY: true, env: {}, plain: true })).toBe(false);
    expect(shouldUseLiveView({ isTTY: true, env: { CI: 'true' }, plain: false })).toBe(false);
    expect(shouldUseLiveView({ isTTY: true, env: { GITHUB_ACTIONS: 'true' }, plain: false })).toBe(false);
    expect(shouldUseLiveView({ isTTY: true, env: { TERM: 'dumb' }, plain: false })).toBe(false);
    expect(shouldUseLiveView({ isTTY: true, env: { RACKPLAY_PLAIN: '1' }, plain: false })).toBe(false);
    expect(shouldUseLiveView({ isTTY: true, env: {}, plain: false, stdoutCallback: 'json' })).toBe(false);
    expect(shouldUseLiveView({ isTTY: true, env: {}, plain: false, verbosity: 1 })).toBe(false);
  });
  it('reads CI=false and CI=0 as not CI', () => {
    expect(isCI({ CI: 'false' })).toBe(false);
    expect(isCI({ CI: '0' })).toBe(false);
    expect(isCI({ CI: '1' })).toBe(true);
  });
  it('formats elapsed time compactly', () => {
    expect([formatElapsed(900), formatElapsed(59_999), formatElapsed(61_000), formatElapsed(3_725_000)]).toEqual(['0s', '59s', '1m01s', '1h02m']);
  });
});

describe('run output', () => {
  it('off a terminal prints exactly the default reporter lines, then the drift summary in check mode', async () => {
    const events = checkRunEvents();
    const plain = { out: '' };
    const ref = createDefaultReporter(options(plain));
    events.forEach((e) => ref.handle(e));
    await ref.close();

    const got = { out: '' };
    const output = createRunOutput({ reporter: options(got), live: false, meta: { version: 't', commandLine: [] } });
    events.forEach((e) => output.handle(e));
    const code = await output.finish(2);
    expect(code).toBe(2);
    expect(got.out.startsWith(plain.out)).toBe(true);
    expect(got.out.slice(plain.out.length)).toMatch(/^DRIFT SUMMARY \*+\nweb1: 2 tasks would change/);
  });

  it('prints no drift summary when applying, nor with the json stdout callback (stdout stays one document)', async () => {
    const apply = { out: '' };
    const o1 = createRunOutput({ reporter: options(apply, { check: false }), meta: { version: 't', commandLine: [] } });
    checkRunEvents(false).forEach((e) => o1.handle(e));
    await o1.finish(0);
    expect(apply.out).not.toContain('DRIFT SUMMARY');

    const json = { out: '' };
    const o2 = createRunOutput({ reporter: options(json), stdoutCallback: 'json', meta: { version: 't', commandLine: [] } });
    checkRunEvents().forEach((e) => o2.handle(e));
    await o2.finish(0);
    expect(() => JSON.parse(json.out)).not.toThrow();
  });

  it('returns 10 with --detailed-exitcode and writes every report, masked, with that exit code', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'run-output-'));
    const masker = new SecretMasker();
    masker.add('listen = 8080');
    const sink = { out: '' };
    const output = createRunOutput({
      reporter: options(sink, { masker }),
      detailedExitcode: true,
      reports: [
        { format: 'json', path: path.join(dir, 'sub/r.json') },
        { format: 'junit', path: path.join(dir, 'r.xml') },
        { format: 'html', path: path.join(dir, 'r.html') },
      ],
      meta: { version: '1.0.0', commandLine: ['site.yml'] },
    });
    // A passing run: drop the failing host's result so the base exit code is 0.
    checkRunEvents()
      .filter((e) => !(e.kind === 'host-result' && e.host === 'db1'))
      .forEach((e) => output.handle(e));
    expect(await output.finish(0)).toBe(10);
    const doc = JSON.parse(readFileSync(path.join(dir, 'sub/r.json'), 'utf8'));
    expect(validateReport(doc).ok).toBe(true);
    expect(doc.run.exit_code).toBe(10);
    for (const f of ['sub/r.json', 'r.xml', 'r.html']) expect(readFileSync(path.join(dir, f), 'utf8')).not.toContain('listen = 8080');
    expect(readFileSync(path.join(dir, 'r.xml'), 'utf8')).toContain('type="drift"');
  });

  it('reports an unwritable report path as a user error', async () => {
    // A directory that cannot exist: its parent is a file.
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'run-output-')), 'plain-file');
    writeFileSync(file, '');
    const target = path.join(file, 'r.json');
    const output = createRunOutput({ reporter: options({ out: '' }), reports: [{ format: 'json', path: target }], meta: { version: 't', commandLine: [] } });
    checkRunEvents().forEach((e) => output.handle(e));
    await expect(output.finish(0)).rejects.toThrow(`cannot write the json report to ${target}`);
  });
});

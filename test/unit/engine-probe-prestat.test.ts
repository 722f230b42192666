// The file probes of a batch share one stat run per follow mode (preStatBatch): through a
// real /bin/sh, every probe must describe its paths exactly as when it runs alone, for the
// awkward paths too, and the batch must run stat once per mode plus once for each path
// the shared run cannot stand for.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeBatch } from '../../src/engine/probe-batch.js';
import { parseFileProbe, preStatBatch, probeFile, probeScript, type FileFacts } from '../../src/facts/file-probe.js';
import { LocalTransport } from '../../src/transport/local.js';
import type { ExecResult } from '../../src/transport/types.js';

let root: string;
let bin: string;

beforeAll(() => {
  root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'rp-prestat-')));
  mkdirSync(path.join(root, 'dir'));
  writeFileSync(path.join(root, 'dir/a.conf'), 'a=1\n');
  writeFileSync(path.join(root, "dir/sp ace 'q' *"), 'x\n');
  writeFileSync(path.join(root, 'dir/ends with /'.replace(/\/$/, '')), 'y\n');
  writeFileSync(path.join(root, 'new\nline'), 'z\n');
  symlinkSync('dir/a.conf', path.join(root, 'link'));
  symlinkSync('gone', path.join(root, 'dangling'));
  // A stat that logs its runs, to count them.
  bin = mkdtempSync(path.join(os.tmpdir(), 'rp-prestat-bin-'));
  const real = execFileSync('sh', ['-c', 'command -v stat']).toString().trim();
  writeFileSync(path.join(bin, 'stat'), `#!/bin/sh\necho run >> '${bin}/log'\nexec ${real} "$@"\n`, { mode: 0o755 });
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(bin, { recursive: true, force: true });
});

const at = (p: string) => (p.startsWith('/') ? p : path.join(root, p));

function scripts(): string[] {
  const full = { follow: true, checksum: 'sha1' as const, contentMax: 65_536, realpath: true };
  return [
    probeScript([probeFile('d', at('dir')), probeFile('f', at('dir/a.conf'), full)]),
    probeScript([probeFile('m', at('missing')), probeFile('l', at('link')), probeFile('lf', at('link'), { follow: true })]),
    probeScript([probeFile('q', at("dir/sp ace 'q' *"), full), probeFile('g', at('dangling')), probeFile('gf', at('dangling'), { follow: true })]),
    // not for the shared run: `/`, a name ending in " /" would be ambiguous, a newline spans lines
    probeScript([probeFile('r', '/'), probeFile('n', at('new\nline'), full), probeFile('s', at('dir/')), probeFile('e', at('dir/ends with /'))]),
    // the same path as the first probe, in another probe
    probeScript([probeFile('again', at('dir/a.conf'), full)]),
  ];
}

/** Facts without access times, which reading a file may move. */
function comparable(out: ExecResult | Buffer): Record<string, Omit<FileFacts, 'atime'>> {
  const facts = parseFileProbe(out);
  return Object.fromEntries(Object.entries(facts).map(([k, f]) => [k, { ...f, atime: undefined }]));
}

describe('shared stat run of a probe batch', () => {
  it('gives every probe what it finds alone, and runs stat once per mode plus the paths it cannot cover', async () => {
    const t = new LocalTransport('local');
    const env = { PATH: `${bin}:${process.env.PATH}` };
    const probes = scripts();
    const alone = [];
    for (const s of probes) alone.push(await t.exec(s, { env }));
    writeFileSync(path.join(bin, 'log'), '');
    const batched = await runProbeBatch(t, probes, { env });
    for (let i = 0; i < probes.length; i++) {
      expect(batched[i], `probe ${i}`).toBeDefined();
      expect(comparable(batched[i]!), `probe ${i}`).toEqual(comparable(alone[i].stdoutBytes));
    }
    expect(comparable(batched[2]!).q.content?.toString()).toBe('x\n');
    expect(comparable(batched[1]!).m.exists).toBe(false);
    // The L and P shared runs, then `/` and the newline path on their own; the path ending
    // in " /" names no directory, which rp_f tells without stat.
    const runs = readFileSync(path.join(bin, 'log'), 'utf8').split('\n').filter(Boolean).length;
    expect(runs).toBe(4);
  });

  it('leaves a batch with fewer than two paths alone', () => {
    expect(preStatBatch([probeScript([probeFile('a', '/etc/hosts')])])).toBeUndefined();
    const two = preStatBatch([probeScript([probeFile('a', '/etc/hosts')]), probeScript([probeFile('b', '/etc/passwd')])]);
    expect(two?.scripts[1]).toMatch(/^rp_f b \/etc\/passwd P - 0 - rp_SP1$/m);
  });
});

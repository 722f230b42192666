// The live view on a real pseudo-terminal (util-linux `script`), and the plain lines off a
// terminal: never both.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rackplayBin, repoRoot, runCommand, runRackplay } from '../helpers/cli.js';
import { quote } from '../../src/transport/quote.js';

const fixture = path.join(repoRoot, 'test/fixtures/drift');
const hasScript = spawnSync('script', ['--version']).status === 0;
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

function args(outDir: string, extra: string[] = []): string[] {
  return [path.join(fixture, 'site.yml'), '-i', path.join(fixture, 'inventory.ini'), '-e', `out_dir=${outDir}`, ...extra];
}

/** Runs rackplay on a pseudo-terminal of the given width; returns what the terminal received. */
async function onTty(rackplayArgs: string[], env: NodeJS.ProcessEnv = {}, cols = 120) {
  const cmd = `stty cols ${cols} rows 40 2>/dev/null; exec ${[process.execPath, rackplayBin, ...rackplayArgs].map(quote).join(' ')}`;
  // Without CI in the environment: CI itself sets CI=true, which turns the live view off.
  const base = { ...process.env, TERM: 'xterm', NO_COLOR: '1', ...env };
  if (!('CI' in env)) delete base.CI;
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: base, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout.replace(/\r\n/g, '\n').replace(/\r/g, '\n') };
}

describe.skipIf(!hasScript)('live view on a terminal (needs script(1), skipped without it: apt-get install bsdutils)', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-live-'));
  // Made here: two hosts creating a missing parent at once race in the file module.
  for (const d of ['a', 'b']) mkdirSync(path.join(work, d));

  it('draws a line per host with its task and counts, then ends with the normal recap', async () => {
    const { code, out } = await onTty(args(path.join(work, 'a')));
    expect(code).toBe(0);
    // listr2 redraws with cursor movement: this is the live view, not plain lines.
    expect(out).toContain('\u001b[1A');
    const text = out.replace(ANSI, '');
    // (Intermediate frames depend on timing: the slow-task test below looks at those.)
    expect(text).toMatch(/beta +done +\[ok=5 changed=4 failed=0\] +\d+s/);
    // Never both: no Ansible task banners or per-host lines.
    expect(text).not.toContain('TASK [');
    expect(text).not.toContain('changed: [alpha]');
    // The final screen: the recap, as a plain run ends.
    const lines = text.split('\n').filter((l) => l.trim());
    expect(lines.slice(-3)).toEqual([
      `PLAY RECAP ${'*'.repeat(119 - 'PLAY RECAP'.length)}`,
      'alpha                      : ok=5    changed=4    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
      'beta                       : ok=5    changed=4    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
    ]);
    expect(text.match(/PLAY RECAP/g)).toHaveLength(1);
  });

  it('shows failures in Ansible words after the view, and the drift summary after the recap in check mode', async () => {
    const failed = await onTty(args('/dev/null/nowhere'));
    expect(failed.code).toBe(2);
    const text = failed.out.replace(ANSI, '');
    expect(text.match(/fatal: \[alpha\]: FAILED! =>/g)).toHaveLength(1);
    expect(text).toMatch(/alpha +FAILED: /);
    expect(text.indexOf('fatal: [alpha]')).toBeLessThan(text.indexOf('PLAY RECAP'));

    const check = await onTty(args(path.join(work, 'a'), ['--check']));
    const ct = check.out.replace(ANSI, '');
    expect(ct.indexOf('DRIFT SUMMARY')).toBeGreaterThan(ct.indexOf('PLAY RECAP'));
    expect(ct).toContain('no drift: nothing would change');
  });

  it('keeps a long task visibly alive: its progress message shows and its elapsed time ticks', async () => {
    const pb = path.join(work, 'slow.yml');
    writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: slow step\n      pause:\n        seconds: 3\n');
    const { code, out } = await onTty([pb, '-i', 'solo,', '-c', 'local']);
    expect(code).toBe(0);
    const text = out.replace(ANSI, '');
    expect(text).toMatch(/solo +slow step \([12]s\) +\[ok=0 changed=0 failed=0\] +[1-3]s/);
    // pause reports progress (host-progress): shown under the host's line while it runs.
    expect(text).toContain('Pausing for 3 seconds');
    expect(text).toMatch(/solo +done +\[ok=1 changed=0 failed=0\]/);
  });

  it('prints plain lines identical to a non-terminal run with --plain, or under CI', async () => {
    const dir = path.join(work, 'b');
    await runRackplay(args(dir), { env: { CI: 'true' } });
    // One fork: hosts report in a fixed order, so two runs print the same lines.
    const piped = await runRackplay(args(dir, ['--check', '-f', '1']), { env: { CI: 'true' } });
    expect(piped.stdout).toContain('TASK [app : app config]');
    expect(piped.stdout).not.toMatch(ANSI);
    const plain = await onTty(args(dir, ['--check', '-f', '1', '--plain']), {}, 80);
    expect(plain.out).toBe(piped.stdout);
    const ci = await onTty(args(dir, ['--check', '-f', '1']), { CI: 'true' }, 80);
    expect(ci.out).toBe(piped.stdout);
  });
});

describe('plain output off a terminal', () => {
  it('is exactly what the default reporter prints (no live view codes)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-plain-'));
    const r = await runCommand(process.execPath, [rackplayBin, ...args(dir)], { env: { CI: '' } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stdout.startsWith(`\nPLAY [Drift fixture] ${'*'.repeat(79 - 'PLAY [Drift fixture]'.length)}\n\nTASK [host directory]`)).toBe(true);
    expect(r.stdout).toContain('\nTASK [app : app config] ****');
  });
});

// The bad-input corpus (test/bad-inputs/manifest.json) through the built CLI against two
// lab hosts: each row's exit code and message, never a stack trace, and no SSH connection
// at all unless the error can only show up while tasks run (then the host is left as it
// was). Connections are counted from sshd's log; a control run that does log in proves the
// counter sees it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { hostShell, startLab, type Lab } from '../lab/lab.js';
import { acceptedLogins, rackplay, sshConnections, writeInventory } from './engine-ssh-helpers.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 120_000 });

interface CorpusRow {
  name: string;
  dir: string;
  args: string[];
  exit: number;
  message: string;
  runtime?: { untouched: string };
}

const corpusDir = path.join(repoRoot, 'test/bad-inputs');
const rows = JSON.parse(readFileSync(path.join(corpusDir, 'manifest.json'), 'utf8')) as CorpusRow[];
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-corpus-'));
let lab: Lab;
let inventory: string;

beforeAll(async () => {
  lab = await startLab({ count: 2, dir: path.join(work, 'lab'), namePrefix: 'bad' });
  inventory = writeInventory(work, lab, lab.hosts);
});
afterAll(async () => {
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
});

const STACK_TRACE = /^\s+at .*\.[cm]?[jt]s:\d+/m;

describe('the corpus itself', () => {
  it('has at least 40 rows with unique names, each naming an existing directory', async () => {
    const { existsSync } = await import('node:fs');
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    for (const r of rows) expect(existsSync(path.join(corpusDir, r.dir)), r.name).toBe(true);
  });
});

describe('the connection counter', () => {
  it('counts the connections of a run that does log in (positive control)', async () => {
    const pb = path.join(work, 'control.yml');
    writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n');
    const before = lab.hosts.map(sshConnections);
    const run = await rackplay([pb, '-i', inventory], { timeoutMs: 25_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    lab.hosts.forEach((h, i) => expect(sshConnections(h) - before[i], h.name).toBeGreaterThanOrEqual(1));
  });

  it('counts a connection that never logs in (a bare TCP connect that reads the banner)', async () => {
    const h = lab.hosts[0];
    const [conns, logins] = [sshConnections(h), acceptedLogins(h)];
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(h.port, h.address);
      s.once('data', () => s.end());
      s.once('close', () => resolve());
      s.once('error', reject);
    });
    // sshd logs the connection from its child; give it a moment without asserting on time.
    await vi.waitFor(() => expect(sshConnections(h)).toBe(conns + 1), { timeout: 10_000, interval: 50 });
    expect(acceptedLogins(h)).toBe(logins);
  });

  it('fails, rather than counts 0, when the log cannot be read', () => {
    expect(() => sshConnections({ ...lab.hosts[0], logPath: path.join(work, 'no-such.log') })).toThrow(/cannot read the sshd log/);
  });
});

describe('bad input through the CLI', () => {
  for (const row of rows) {
    it(`${row.name} → exit ${row.exit}`, async () => {
      const before = lab.hosts.map(sshConnections);
      const args = row.args.map((a) => (a === '{lab_inventory}' ? inventory : a));
      const run = await rackplay(args, { cwd: path.join(corpusDir, row.dir), timeoutMs: 25_000 });
      const output = run.stdout + run.stderr;
      expect(run.code, output).toBe(row.exit);
      // The manifest names a load error's place as `file:line:col: message`; the CLI prints
      // Ansible's layout (message, then "The error appears to be in 'file': line L, column C").
      expect(atPosition(output)).toContain(row.message);
      expect(output).not.toMatch(STACK_TRACE);
      if (!row.runtime) {
        expect(lab.hosts.map(sshConnections), 'SSH connections during a run that should have been refused up front').toEqual(before);
      } else {
        for (const h of lab.hosts) expect((await hostShell(h, `ls ${row.runtime.untouched} 2>/dev/null; true`)).stdout.trim()).toBe('');
      }
    });
  }
});

function atPosition(output: string): string {
  return output.replace(/ERROR! (.*)\n\nThe error appears to be in '([^']+)': line (\d+), column (\d+)/g, (_, msg: string, file: string, line: string, col: string) => `ERROR! ${file}:${line}:${col}: ${msg}`);
}

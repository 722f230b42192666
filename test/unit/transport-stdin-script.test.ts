// Scripts travel on stdin: while a command runs, no process on the host shows any part of
// it in its argv (which every user of the host can read), nor the values of the task's
// environment; and a sudo password that sudo did not ask for is skipped, never run as a
// command or written into a file.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.js';
import { launchScript, READ_ALL, READ_COUNTED } from '../../src/transport/stdin-script.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-stdin-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every argv on this machine now, as one string per process. */
function allArgv(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
    } catch {
      /* the process ended */
    }
  }
  return out;
}

describe('scripts on stdin', () => {
  it('show no part of the script nor of its environment in any argv while they run', async () => {
    const token = `tok${randomBytes(8).toString('hex')}`;
    const envSecret = `env${randomBytes(8).toString('hex')}`;
    const flag = path.join(dir, 'running');
    const t = new LocalTransport('local');
    const run = t.exec(`# ${token}\n: > ${flag}; sleep 1; echo "$SECRET_VALUE"`, { env: { SECRET_VALUE: envSecret } });
    // wait until the script is running, then look at every command line
    for (let i = 0; i < 200 && !readdirSync(dir).includes('running'); i++) await new Promise((r) => setTimeout(r, 10));
    const seen = allArgv();
    const r = await run;
    expect(r.stdout).toBe(`${envSecret}\n`);
    expect(seen.some((a) => a.includes('__rp_s'))).toBe(true); // we did look while it ran
    expect(seen.filter((a) => a.includes(token) || a.includes(envSecret))).toEqual([]);
  });

  it('run the same constant command line whatever the script', () => {
    expect(launchScript('echo a', undefined).command).toBe(READ_ALL);
    expect(launchScript('rm -rf /tmp/x', undefined, 'data').command).toBe(READ_COUNTED);
    expect(launchScript('echo b', { method: 'sudo', user: 'root' }).command).toBe(launchScript('echo c', { method: 'sudo', user: 'root' }).command);
  });

  it.skipIf(process.getuid?.() !== 0)('skip a sudo password sudo did not ask for (needs root: sudo asks root for nothing)', async () => {
    const t = new LocalTransport('local');
    const become = { method: 'sudo' as const, user: 'root', password: 'pw-never-shown' };
    const r = await t.exec('echo ok', { become });
    expect(r.rc).toBe(0);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).not.toContain('pw-never-shown');
    const file = path.join(dir, 'written');
    await t.put(file, Buffer.from('exactly this'), { become });
    expect(readFileSync(file, 'utf8')).toBe('exactly this');
  });
});

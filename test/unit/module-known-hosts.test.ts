// The known_hosts module's halves with this machine's own ssh-keygen: each row runs the
// real probe (sh) on a file in a temporary directory, plans, carries out the steps there,
// and the same row probed and planned again must plan nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashHostKey, knownHostsProbe, parseKnownHosts, planKnownHosts, prepareKnownHosts, type KnownHostsArgs } from '../../src/modules/known-hosts.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';

const haveKeygen = spawnSync('sh', ['-c', 'command -v ssh-keygen'], { stdio: 'ignore' }).status === 0;
const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-kh-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RSA = 'example.org ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAglyZmHHWskQ9wkh8LYbIqzvg99/oloneH7BaZ02ripJUy/2Zynv4tgUfm9fdXvAb1XXCEuTRnts9FBer87+voU0FPRgx3CfY9Sgr0FspUjnm4lqs53FIab1psddAaS7/F7lrnjl6VqBtPwMRQZG7qlml5uogGJwYJHxX0PGtsdoTJsM=';
const ED = 'example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzlnSq5ESxLgW0avvPk3j7zLV59hcAPkxrMNdnZMKP2';
const ED2 = 'example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMnTdBkLlscB1U/+fC22TE6CiBfvcwcjHCgIXARACI29';
const EXISTING = 'example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzlnSq5ESxLgW0avvPk3j7zLV59hcAPkxrMNdnZMKP2\n# example.net\n';

let n = 0;
function fileWith(text?: string): string {
  const f = path.join(work, `kh${n++}`);
  if (text !== undefined) writeFileSync(f, text);
  return f;
}

function probeAndPlan(args: KnownHostsArgs, check = false): Plan {
  const p = prepareKnownHosts({ hash_host: false, state: 'present', ...args });
  const out = execFileSync('sh', ['-c', knownHostsProbe(p)], { env: { ...process.env, HOME: work } });
  return planKnownHosts(p, parseKnownHosts({ rc: 0, stdout: out.toString(), stderr: '', stdoutBytes: out }, p), { check });
}

function apply(plan: Plan): void {
  for (const s of plan.steps) {
    if (s.kind === 'put') writeFileSync(s.path, s.content);
    else execFileSync('sh', ['-c', s.cmd], { stdio: 'ignore' });
  }
}

/** Plan, apply, and plan again: the second plan must have nothing to do. */
function converge(args: KnownHostsArgs): Plan {
  const plan = probeAndPlan(args);
  apply(plan);
  const again = probeAndPlan(args);
  expect(again.steps).toEqual([]);
  expect(again.changed).toBeFalsy();
  return plan;
}

function failure(args: KnownHostsArgs): string {
  try {
    probeAndPlan(args);
  } catch (e) {
    if (e instanceof ModuleFailure) return e.message;
    throw e;
  }
  throw new Error('no failure');
}

describe.skipIf(!haveKeygen)('known_hosts with the real ssh-keygen (needs ssh-keygen)', () => {
  it('appends a new host key at the end and shows it in the diff; check mode writes nothing', () => {
    const f = fileWith(EXISTING);
    const checked = probeAndPlan({ name: 'example.org', key: `${RSA}\n`, path: f }, true);
    expect(checked.changed).toBe(true);
    expect(checked.result).toEqual({ diff: { before_header: f, after_header: f, before: EXISTING, after: `${EXISTING}${RSA}\n` } });
    const plan = converge({ name: 'example.org', key: RSA, path: f });
    expect(readFileSync(f, 'utf8')).toBe(`${EXISTING}${RSA}\n`);
    expect(plan.result).toMatchObject({ name: 'example.org', key: RSA, path: f, hash_host: false, state: 'file', mode: '0644', size: EXISTING.length + RSA.length + 1 });
  });

  it('replaces a different key of the same type in place of the old line', () => {
    const f = fileWith(`${ED}\n${EXISTING}`);
    converge({ name: 'example.org', key: ED2, path: f });
    expect(readFileSync(f, 'utf8')).toBe(`${EXISTING}${ED2}\n`);
  });

  it('removing a key of another type than the one there changes nothing', () => {
    const f = fileWith(`${EXISTING}${RSA}\n`);
    const plan = converge({ name: 'example.org', key: ED, path: f, state: 'absent' });
    expect(plan.changed).toBeFalsy();
    expect(plan.result?.diff).toMatchObject({ before: `${EXISTING}${RSA}\n`, after: `${EXISTING}${RSA}\n` });
  });

  it('removes one key by its line, or the whole host with ssh-keygen -R', () => {
    const f = fileWith(`${RSA}\n${EXISTING}`);
    converge({ name: 'example.org', key: RSA, path: f, state: 'absent' });
    expect(readFileSync(f, 'utf8')).toBe(EXISTING);
    const g = fileWith(`${RSA}\n${ED}\n${EXISTING}`);
    const plan = converge({ name: 'Example.ORG', path: g, state: 'absent' });
    expect(plan.steps[0].kind === 'exec' && plan.steps[0].cmd).toContain('ssh-keygen -R example.org');
    expect(readFileSync(g, 'utf8')).toBe(EXISTING);
  });

  it('writes a hashed entry that ssh-keygen finds, and keeps it on the next run', () => {
    const f = fileWith(EXISTING);
    converge({ name: 'example.org', key: RSA, path: f, hash_host: true });
    const last = readFileSync(f, 'utf8').split('\n').at(-2)!;
    expect(last).toMatch(/^\|1\|[^ ]+ ssh-rsa AAAAB3/);
    expect(execFileSync('ssh-keygen', ['-F', 'example.org', '-f', f]).toString()).toContain(last);
    // the same key, unhashed, is found as the same entry (its hash is kept)
    expect(probeAndPlan({ name: 'example.org', key: RSA, path: f, hash_host: true }).steps).toEqual([]);
  });

  it('creates the file under ~ when it is missing', () => {
    const dir = path.join(work, '.ssh');
    execFileSync('mkdir', ['-p', dir]);
    const plan = converge({ name: 'example.org', key: RSA, path: '~/.ssh/known_hosts' });
    expect(readFileSync(path.join(dir, 'known_hosts'), 'utf8')).toBe(`${RSA}\n`);
    expect(plan.diff).toMatchObject({ before_header: '/dev/null', after_header: path.join(dir, 'known_hosts') });
    expect(existsSync(path.join(dir, 'known_hosts'))).toBe(true);
  });

  it("fails with Ansible's words", () => {
    const f = fileWith(EXISTING);
    expect(failure({ name: 'example.org', path: f })).toBe('No key specified when adding a host');
    expect(failure({ name: 'other.org', key: RSA, path: f })).toBe('Host parameter does not match hashed host field in supplied key');
    expect(failure({ name: 'a.org,b.org', key: RSA, path: f })).toMatch(/^Comma separated list of names is not supported/);
  });
});

describe('probe', () => {
  it('keeps its variable path out of the pre-stat a probe batch does for literal paths', () => {
    const script = knownHostsProbe(prepareKnownHosts({ name: 'h', key: 'h ssh-rsa AAA', path: '~/.ssh/known_hosts' }));
    expect(script.split('\n').filter((l) => l.startsWith('rp_f ') && l.includes('$'))).toEqual([]);
  });
});

describe('hash_host', () => {
  it('puts |1|salt|hmac in the host field, after a marker', () => {
    const salt = Buffer.alloc(20, 1);
    expect(hashHostKey('h', '@cert-authority h ssh-rsa AAA c', salt)).toMatch(/^@cert-authority \|1\|AQEBAQEBAQEBAQEBAQEBAQEBAQE=\|[A-Za-z0-9+/=]{28} ssh-rsa AAA c$/);
  });
});

// The authorized_key module's halves on this machine: each row runs the real probe (sh,
// getent) for the current user on a file in a temporary directory, plans, carries out
// the steps there, and the same row probed and planned again must plan nothing.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.js';
import type { RunContext } from '../../src/modules/types.js';
import { authorizedKeyModule, authorizedKeyProbe, editKeys, parseAuthorizedKey, parseOptions, planAuthorizedKey, type AuthorizedKeyArgs } from '../../src/modules/authorized-key.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-ak-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const me = os.userInfo().username;

const A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzlnSq5ESxLgW0avvPk3j7zLV59hcAPkxrMNdnZMKP2 alice@a';
const B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMnTdBkLlscB1U/+fC22TE6CiBfvcwcjHCgIXARACI29 bob@b';
const C = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAglyZmHHWskQ9wkh8LYbIqzvg99 carol';

type Row = Partial<AuthorizedKeyArgs> & { key: string };

function probeAndPlan(row: Row, file: string, check = false): Plan {
  const args = { user: me, manage_dir: true, state: 'present', exclusive: false, validate_certs: true, follow: false, path: file, ...row } as AuthorizedKeyArgs;
  const p = { args, keyText: args.key };
  const out = execFileSync('sh', ['-c', authorizedKeyProbe(p)]);
  return planAuthorizedKey(p, parseAuthorizedKey({ rc: 0, stdout: out.toString(), stderr: '', stdoutBytes: out }), { check });
}

let n = 0;
/** Plan and apply on a fresh file with `text`, plan again (nothing), and return the new text. */
function converge(row: Row, text?: string): { plan: Plan; text: string; file: string } {
  const file = path.join(work, `d${n++}`, '.ssh', 'authorized_keys');
  execFileSync('mkdir', ['-p', path.dirname(path.dirname(file))]);
  if (text !== undefined) {
    execFileSync('mkdir', ['-p', path.dirname(file)]);
    writeFileSync(file, text);
  }
  const plan = probeAndPlan(row, file);
  for (const s of plan.steps) {
    if (s.kind === 'put') writeFileSync(s.path, s.content);
    else execFileSync('sh', ['-c', s.cmd]);
  }
  const again = probeAndPlan(row, file);
  expect(again.steps).toEqual([]);
  expect(again.changed).toBeFalsy();
  return { plan, text: readFileSync(file, 'utf8'), file };
}

describe('authorized_key on a real file', () => {
  it('creates ~/.ssh (0700) and the file (0600) and writes the key', () => {
    const { plan, text, file } = converge({ key: A });
    expect(text).toBe(`${A}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    // add_path_info: the written file's owner, mode and size; `state` becomes 'file' as in Ansible
    expect(plan.result).toMatchObject({ user: me, keyfile: file, state: 'file', exclusive: false, owner: me, mode: '0600', size: A.length + 1 });
    expect(plan.diff).toEqual({ before_header: file, after_header: file, before: '', after: `${A}\n` });
  });

  it('appends new keys after the existing lines, in the order given; several lines at once', () => {
    expect(converge({ key: `${B}\n\n# note\n${C}\n` }, `# mine\n${A}\n`).text).toBe(`# mine\n${A}\n${B}\n${C}\n`);
  });

  it('a key already there (same options and comment) changes nothing', () => {
    const { plan } = converge({ key: A }, `${A}\n`);
    expect(plan.steps).toEqual([]);
  });

  it('replaces a key whose options or comment differ, moving it to the end', () => {
    expect(converge({ key: A, key_options: 'no-pty,from="10.0.0.1,10.0.0.2"' }, `${A}\n${B}\n`).text).toBe(`${B}\nno-pty,from="10.0.0.1,10.0.0.2" ${A}\n`);
    expect(converge({ key: A, comment: 'deploy' }, `${A}\n`).text).toBe(`${A.replace('alice@a', 'deploy')}\n`);
  });

  it('writes a key without a comment with the trailing space Ansible writes', () => {
    expect(converge({ key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzlnSq5ESxLgW0avvPk3j7zLV59hcAPkxrMNdnZMKP2' }).text).toBe(
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzlnSq5ESxLgW0avvPk3j7zLV59hcAPkxrMNdnZMKP2 \n',
    );
  });

  it('removes keys by their blob whatever their comment; a missing key is no change', () => {
    expect(converge({ key: A.replace('alice@a', 'other'), state: 'absent' }, `${A}\n${B}\n`).text).toBe(`${B}\n`);
    expect(converge({ key: C, state: 'absent' }, `${A}\n`).plan.changed).toBeFalsy();
  });

  it('exclusive keeps only the given keys (comments go too)', () => {
    expect(converge({ key: B, exclusive: true }, `# x\n${A}\n${B}\n`).text).toBe(`${B}\n`);
  });

  it('follow writes through a symlink to its target; without it the link is replaced by a file', () => {
    const dir = path.join(work, 'links');
    execFileSync('mkdir', ['-p', dir]);
    for (const follow of [true, false]) {
      const target = path.join(dir, `target-${follow}`);
      const link = path.join(dir, `link-${follow}`);
      writeFileSync(target, `${A}\n`);
      execFileSync('ln', ['-sf', target, link]);
      const plan = probeAndPlan({ key: B, follow }, link);
      for (const s of plan.steps) {
        if (s.kind === 'put') writeFileSync(s.path, s.content, { flag: 'w' });
        else execFileSync('sh', ['-c', s.cmd]);
      }
      expect(plan.diff).toMatchObject({ before_header: link, after_header: follow ? target : link });
      expect(plan.steps.find((s) => s.kind === 'put')?.path).toBe(follow ? target : link);
    }
  });

  it('check mode plans no steps but reports the change, for a user that does not exist given a path', () => {
    const file = path.join(work, 'check-keys');
    const plan = probeAndPlan({ key: A, user: 'no-such-user-rp' }, file, true);
    expect(plan.steps).toEqual([]);
    expect(plan.changed).toBe(true);
  });

  it("fails with Ansible's words", () => {
    const file = path.join(work, 'fail-keys');
    const fail = (row: Row, check = false) => {
      try {
        probeAndPlan(row, file, check);
      } catch (e) {
        if (e instanceof ModuleFailure) return e.message;
        throw e;
      }
      return 'no failure';
    };
    expect(fail({ key: 'not a key' })).toBe('invalid key specified: not a key');
    expect(fail({ key: A, user: 'no-such-user-rp' })).toBe(`Failed to lookup user no-such-user-rp: "getpwnam(): name not found: 'no-such-user-rp'"`);
    expect(fail({ key: A, user: 'no-such-user-rp', path: undefined }, true)).toBe('Either user must exist or you must provide full path to key file in check mode');
  });
});

describe('probe', () => {
  it('keeps its variable path out of the pre-stat a probe batch does for literal paths', () => {
    const script = authorizedKeyProbe({ args: { user: 'u', key: 'k' } as AuthorizedKeyArgs, keyText: 'k' });
    expect(script.split('\n').filter((l) => l.startsWith('rp_f ') && l.includes('$'))).toEqual([]);
  });
});

describe('key options and lines', () => {
  it('splits options on commas outside quotes, keeping order and repeats', () => {
    expect(parseOptions('no-pty,from="a,b",permitopen="h:1",permitopen="h:2"')).toEqual([
      ['no-pty', null],
      ['from', '"a,b"'],
      ['permitopen', '"h:1"'],
      ['permitopen', '"h:2"'],
    ]);
  });

  it('keeps junk lines and collapses repeated ones as Ansible does', () => {
    expect(editKeys({ user: 'u', key: B, state: 'present' }, B, `junk\n${A}\njunk\n`)).toBe(`${A}\njunk\n${B}\n`);
  });
});

describe('a key given as a URL', () => {
  let server: Server;
  let base = '';
  afterAll(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it('is fetched on the host (curl or wget) and its lines used as keys; a failed fetch says Ansible\'s words', async () => {
    server = createServer((req, res) => {
      if (req.url === '/keys') res.end(`${A}\n${B}\n`);
      else res.writeHead(404).end();
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const transport = new LocalTransport('local');
    const ctx = { check: false, diff: false, host: 'local', vars: {}, exec: (cmd: string) => transport.exec(cmd) } as unknown as RunContext;
    const args = { user: me, key: `${base}/keys`, state: 'present', manage_dir: true, exclusive: false, validate_certs: true, follow: false } as AuthorizedKeyArgs;
    const prepared = await authorizedKeyModule.prepare!(args, ctx);
    expect(prepared.keyText).toBe(`${A}\n${B}\n`);
    expect(editKeys(args, prepared.keyText, '')).toBe(`${A}\n${B}\n`);
    await expect(authorizedKeyModule.prepare!({ ...args, key: `${base}/missing` }, ctx)).rejects.toThrow(`Error getting key from: ${base}/missing`);
  });
});

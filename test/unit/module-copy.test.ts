import { describe, expect, it } from 'vitest';
import { copyModule, sha1, type CopyArgs, type CopyPrepared } from '../../src/modules/copy.js';
import { finish, planCtx, planned, probeOut, putContent, rec, type RawFile } from './file-module-helpers.js';

const stamp = { pid: 4242, time: new Date(2024, 0, 2, 3, 4, 5).getTime() };
const base = { backup: false, force: true, remote_src: false, follow: false, local_follow: true, decrypt: true, unsafe_writes: false };

/** What prepare() makes of `content:` (or, with `more`, of a src). */
function args(a: Partial<CopyArgs> & { dest: string }, content = 'hello\n', more: Partial<CopyPrepared> = {}): CopyPrepared {
  return { args: { ...base, content, ...a }, files: [{ rel: '', content: Buffer.from(content), srcMode: 0o600 }], stamp, ...more };
}

const dir: RawFile = { type: 'directory' };

interface Row {
  name: string;
  args: CopyPrepared;
  dest: RawFile | 'absent';
  expect: { steps: string[]; mode?: string; backup?: string; failed?: RegExp; diffAfter?: string };
}

const rows: Row[] = [
  { name: 'new file', args: args({ dest: '/etc/motd' }), dest: 'absent', expect: { steps: ['put'], mode: '0644', diffAfter: 'hello\n' } },
  { name: 'same content', args: args({ dest: '/etc/motd' }), dest: { content: 'hello\n' }, expect: { steps: [] } },
  { name: 'different content keeps mode', args: args({ dest: '/etc/motd' }), dest: { content: 'old\n', mode: 0o600 }, expect: { steps: ['put'], mode: '0600' } },
  { name: 'mode only', args: args({ dest: '/etc/motd', mode: '0600' }), dest: { content: 'hello\n' }, expect: { steps: ["exec:chmod 0600 -- /etc/motd"], mode: '0600' } },
  { name: 'yaml-1.1 integer mode', args: args({ dest: '/etc/motd', mode: 0o640 }), dest: { content: 'hello\n' }, expect: { steps: ["exec:chmod 0640 -- /etc/motd"], mode: '0640' } },
  { name: 'symbolic mode', args: args({ dest: '/etc/motd', mode: 'u=rw,g=r,o=' }), dest: { content: 'hello\n', mode: 0o666 }, expect: { steps: ["exec:chmod 0640 -- /etc/motd"], mode: '0640' } },
  { name: 'owner by name', args: args({ dest: '/etc/motd', owner: 'app' }), dest: { content: 'hello\n' }, expect: { steps: ['exec:chown app -- /etc/motd'] } },
  { name: 'owner by id already right', args: args({ dest: '/etc/motd', owner: '0', group: 'root' }), dest: { content: 'hello\n' }, expect: { steps: [] } },
  {
    name: 'backup then put',
    args: args({ dest: '/etc/motd', backup: true }),
    dest: { content: 'old\n' },
    expect: { steps: ["exec:cp -p -- /etc/motd '/etc/motd.4242.2024-01-02@03:04:05~'", 'put'], backup: '/etc/motd.4242.2024-01-02@03:04:05~' },
  },
  { name: 'force: false keeps an existing file', args: args({ dest: '/etc/motd', force: false }), dest: { content: 'old\n' }, expect: { steps: [] } },
  { name: 'mode preserve', args: args({ dest: '/etc/motd', mode: 'preserve', src: 'motd', content: undefined }), dest: 'absent', expect: { steps: ['put'], mode: '0600' } },
  {
    name: 'validate stages a temp file',
    args: args({ dest: '/etc/sudoers', validate: 'visudo -cf %s' }),
    dest: { content: 'old\n', mode: 0o440 },
    expect: { steps: ['put', 'exec:{ ( visudo -cf /etc/.sudoers.rackplay-validate'] },
  },
  { name: 'validate without %s fails', args: args({ dest: '/etc/sudoers', validate: 'visudo -c' }), dest: { content: 'old\n' }, expect: { steps: [], failed: /validate must contain %s/ } },
];

describe('copy plan', () => {
  for (const row of rows) {
    it(row.name, () => {
      const facts = probeOut(rec('d', row.dest), rec('pd', dir));
      const plan = planned(() => copyModule.plan!(row.args, facts, planCtx));
      if (row.expect.failed) {
        expect(plan.failed).toMatch(row.expect.failed);
        return;
      }
      expect(plan.failed).toBeUndefined();
      const got = plan.steps.map((s) => (s.kind === 'put' ? 'put' : `exec:${s.cmd}`));
      expect(got.length).toBe(row.expect.steps.length);
      row.expect.steps.forEach((e, i) => expect(got[i].startsWith(e)).toBe(true));
      if (row.expect.mode) expect(plan.result?.mode).toBe(row.expect.mode);
      if (row.expect.backup) expect(plan.result?.backup_file).toBe(row.expect.backup);
      if (row.expect.diffAfter !== undefined) expect((plan.diff as { after: string }).after).toBe(row.expect.diffAfter);
      const content = row.args.files[0].content;
      expect(plan.result?.checksum).toBe(sha1(content));
      if (plan.steps.some((s) => s.kind === 'put')) expect(putContent(plan)!.equals(content)).toBe(true);
      // The finished state plans nothing.
      const done = finish(row.dest, plan);
      const again = planned(() => copyModule.plan!(row.args, probeOut(rec('d', done), rec('pd', dir)), planCtx));
      expect(again.steps).toEqual([]);
    });
  }

  it('content into a directory is refused like Ansible', () => {
    const plan = planned(() => copyModule.plan!(args({ dest: '/etc/' }), probeOut(rec('d', dir), rec('pd', dir)), planCtx));
    expect(plan.failed).toBe('can not use content with a dir as dest');
  });

  it('src into an existing directory lands under its basename', () => {
    const a = args({ dest: '/etc/app', src: 'app.conf', content: undefined }, 'hello\n', { basename: 'app.conf' });
    const plan = planned(() => copyModule.plan!(a, probeOut(rec('d', dir), rec('n', 'absent'), rec('pd', dir)), planCtx));
    expect(plan.result?.dest).toBe('/etc/app/app.conf');
    expect(plan.steps).toMatchObject([{ kind: 'put', path: '/etc/app/app.conf' }]);
  });

  it('dest with a trailing slash that does not exist is created', () => {
    const a = args({ dest: '/srv/new/', src: 'app.conf', content: undefined }, 'hello\n', { basename: 'app.conf' });
    const plan = planned(() => copyModule.plan!(a, probeOut(rec('d', 'absent'), rec('n', 'absent'), rec('pd', dir)), planCtx));
    expect(plan.steps[0]).toEqual({ kind: 'exec', cmd: 'mkdir -p -- /srv/new/' });
    expect(plan.steps[1]).toMatchObject({ kind: 'put', path: '/srv/new/app.conf' });
  });

  it('a missing parent directory fails with Ansible\'s message', () => {
    const plan = planned(() => copyModule.plan!(args({ dest: '/nope/motd' }), probeOut(rec('d', 'absent'), rec('pd', 'absent')), { ...planCtx, check: false }));
    expect(plan.failed).toBe('Destination directory /nope does not exist');
  });

  it('a directory source copies the tree, idempotently', () => {
    const a: CopyPrepared = {
      args: { ...base, dest: '/srv', src: 'site' },
      basename: 'site',
      dirs: ['', 'css'],
      files: [
        { rel: 'index.html', content: Buffer.from('<h1>'), srcMode: 0o644 },
        { rel: 'css/a.css', content: Buffer.from('a{}'), srcMode: 0o644 },
      ],
      stamp,
    };
    expect(copyModule.probe!(a)).toContain("rp_f F1 /srv/site/css/a.css L sha1sum");
    const plan = planned(() => copyModule.plan!(a, probeOut(rec('D0', 'absent'), rec('D1', 'absent'), rec('F0', 'absent'), rec('F1', 'absent')), planCtx));
    expect(plan.steps.filter((s) => s.kind === 'put').map((s) => (s as { path: string }).path)).toEqual(['/srv/site/index.html', '/srv/site/css/a.css']);
    const done = probeOut(rec('D0', dir), rec('D1', dir), rec('F0', { content: '<h1>' }), rec('F1', { content: 'a{}' }));
    expect(planned(() => copyModule.plan!(a, done, planCtx)).steps).toEqual([]);
  });

  it('probe asks for content only up to 64 KiB, and a large file gets a skipped diff', () => {
    expect(copyModule.probe!(args({ dest: '/etc/motd' }))).toContain('rp_f d /etc/motd L sha1sum 65536');
    const plan = planned(() => copyModule.plan!(args({ dest: '/etc/motd' }), probeOut(rec('d', { content: 'x'.repeat(10), noContent: true, size: 100000 }), rec('pd', dir)), planCtx));
    expect((plan.diff as { after_header: string }).after_header).toMatch(/diff skipped/);
  });
});

// The pure parts of synchronize: arguments → rsync command line (Ansible's order and
// quoting), the remote end's spelling, reading rsync's itemized output, and the relay's
// framing and remote-command extraction.
import { describe, expect, it } from 'vitest';
import { shlexSplit } from '../../src/shlex.js';
import { readRsyncOutput, remoteTarget, rsyncCommand, type RsyncSpec } from '../../src/modules/synchronize-args.js';
import { FrameReader, frame, remoteCommand } from '../../src/transport/rsh-relay.js';

const base: RsyncSpec = {
  src: '/s/',
  dest: 'h:/d',
  delete: false,
  archive: true,
  checksum: false,
  compress: true,
  existing_only: false,
  dirs: false,
  copy_links: false,
  rsync_timeout: 0,
  rsync_opts: [],
  partial: false,
  delay_updates: true,
};
const M = '<<CHANGED>>';
const ctx = { rsync: '/usr/bin/rsync', check: false, marker: M };
const tail = `--out-format='<<CHANGED>>%i %n%L' /s/ h:/d`;

describe('synchronize: arguments to the rsync command', () => {
  const cases: [string, Partial<RsyncSpec>, Partial<typeof ctx> & { rsh?: string }, string][] = [
    ['defaults', {}, {}, `/usr/bin/rsync --delay-updates -F --compress --archive ${tail}`],
    ['check mode adds --dry-run', {}, { check: true }, `/usr/bin/rsync --delay-updates -F --compress --dry-run --archive ${tail}`],
    [
      'every boolean in Ansible\'s order',
      { delete: true, existing_only: true, checksum: true, copy_links: true, rsync_timeout: 30, dirs: true, partial: true },
      {},
      `/usr/bin/rsync --delay-updates -F --compress --timeout=30 --delete-after --existing --checksum --copy-links --archive --dirs --partial ${tail}`,
    ],
    ['archive with explicit falses', { recursive: false, links: false, perms: false, times: false, owner: false, group: false }, {}, `/usr/bin/rsync --delay-updates -F --compress --archive --no-recursive --no-links --no-perms --no-times --no-owner --no-group ${tail}`],
    ['archive ignores explicit trues', { recursive: true, perms: true }, {}, `/usr/bin/rsync --delay-updates -F --compress --archive ${tail}`],
    ['no archive: only explicit trues', { archive: false, compress: false, delay_updates: false, recursive: true, times: true, owner: false }, {}, `/usr/bin/rsync --recursive --times ${tail}`],
    ['the relay as --rsh, rsync_path quoted, rsync_opts as written', { rsync_path: 'sudo rsync', rsync_opts: ['--exclude=.git', '--chmod=F644'] }, { rsh: '/usr/bin/node /x y/relay.js' }, `/usr/bin/rsync --delay-updates -F --compress --archive --rsh='/usr/bin/node /x y/relay.js' --rsync-path='sudo rsync' --exclude=.git --chmod=F644 ${tail}`],
    ['a user --rsh replaces the relay', { rsync_opts: ['--rsh=ssh -p 2222'] }, { rsh: 'relay' }, `/usr/bin/rsync --delay-updates -F --compress --archive --rsh=ssh -p 2222 ${tail}`],
    ['link_dest: -H -vv and one option each', { link_dest: ['/a', '/b'] }, {}, `/usr/bin/rsync --delay-updates -F --compress --archive -H -vv --link-dest=/a --link-dest=/b ${tail}`],
    ['paths are shell-quoted', { src: "/my files/it's/", dest: 'h:/d d' }, {}, `/usr/bin/rsync --delay-updates -F --compress --archive --out-format='<<CHANGED>>%i %n%L' '/my files/it'\\''s/' 'h:/d d'`],
  ];
  it.each(cases)('%s', (_name, a, c, expected) => {
    expect(rsyncCommand({ ...base, ...a }, { ...ctx, ...c })).toBe(expected);
  });

  it('splits back into the argv rsync gets, quoted words whole', () => {
    const cmd = rsyncCommand({ ...base, src: '/my files/', dest: "h:/it's" }, { ...ctx, rsh: "/usr/bin/node '/a b/relay.js'" });
    const argv = shlexSplit(cmd);
    expect(argv).toContain("--rsh=/usr/bin/node '/a b/relay.js'");
    expect(argv).toContain('--out-format=<<CHANGED>>%i %n%L');
    expect(argv.slice(-2)).toEqual(['/my files/', "h:/it's"]);
  });
});

describe('synchronize: the remote end', () => {
  it.each([
    ['web1', '/srv', 'deploy', 'deploy@web1:/srv'],
    ['10.0.0.5', '/srv', undefined, '10.0.0.5:/srv'],
    ['fe80::1', '/srv', 'root', '[root@fe80::1]:/srv'],
    ['web1', 'rsync://mirror/x', 'root', 'rsync://mirror/x'],
  ])('%s %s %s', (host, p, user, expected) => {
    expect(remoteTarget(host, p, user)).toBe(expected);
  });
});

describe('synchronize: rsync output', () => {
  it('an itemized line means changed; msg and stdout_lines lose only the marker', () => {
    const out = readRsyncOutput(`${M}cd+++++++++ ./\n${M}<f+++++++++ a.txt\n${M}cL+++++++++ link -> a.txt\n`, M, false);
    expect(out.changed).toBe(true);
    expect(out.msg).toBe('cd+++++++++ ./\n<f+++++++++ a.txt\ncL+++++++++ link -> a.txt\n');
    expect(out.lines).toEqual(['cd+++++++++ ./', '<f+++++++++ a.txt', 'cL+++++++++ link -> a.txt']);
  });

  it('nothing itemized is no change; other output stays in msg', () => {
    expect(readRsyncOutput('', M, false)).toEqual({ changed: false, msg: '', lines: [] });
    const out = readRsyncOutput('skipping non-regular file "x"\n', M, false);
    expect(out.changed).toBe(false);
    expect(out.lines).toEqual(['skipping non-regular file "x"']);
  });

  it('a name holding the marker neither forges an item nor loses its text', () => {
    const name = `we${M}ird\\#012${M}<f+++++++++ fake`;
    const out = readRsyncOutput(`not an item ${M}<f+++ x\n${M}<f+++++++++ ${name}\n`, M, false);
    expect(out.lines).toEqual([`not an item ${M}<f+++ x`, `<f+++++++++ ${name}`]);
    expect(readRsyncOutput(`something ${M}>f+++ x\n`, M, false).changed).toBe(false);
  });

  it('with link_dest, only items not starting with "." are changes', () => {
    expect(readRsyncOutput(`${M}.f          a\n${M}.d          ./\n`, M, true).changed).toBe(false);
    expect(readRsyncOutput(`${M}.f          a\n${M}hf          b => a\n`, M, true).changed).toBe(true);
  });
});

describe('rsh relay', () => {
  it.each([
    [['host', 'rsync', '--server', '-logDtpre.iLsfxCIvu', '.', '/srv/a\\ b'], 'rsync --server -logDtpre.iLsfxCIvu . /srv/a\\ b'],
    [['-l', 'deploy', 'web1', 'rsync', '--server', '.', '/d'], 'rsync --server . /d'],
    [['-l', 'deploy', '-p', '22', 'web1', 'sudo', 'rsync'], 'sudo rsync'],
    [['web1'], ''],
  ])('remote command of %j', (argv, expected) => {
    expect(remoteCommand(argv)).toBe(expected);
  });

  it('frames survive any chunking', () => {
    const got: [string, string][] = [];
    const reader = new FrameReader((t, p) => got.push([t, p.toString()]));
    const bytes = Buffer.concat([frame('A', '["h","rsync"]'), frame('I', 'x'.repeat(70_000)), frame('E', ''), frame('X', Buffer.from([0, 0, 0, 3]))]);
    for (let i = 0; i < bytes.length; i += 7) reader.push(bytes.subarray(i, i + 7));
    expect(got.map(([t, p]) => [t, p.length])).toEqual([['A', 13], ['I', 70_000], ['E', 0], ['X', 4]]);
    expect(got[0][1]).toBe('["h","rsync"]');
  });
});

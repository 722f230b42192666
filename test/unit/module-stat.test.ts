import { describe, expect, it } from 'vitest';
import { statModule, type StatArgs } from '../../src/modules/stat.js';
import { parseFileProbe } from '../../src/facts/file-probe.js';
import { planCtx, probeOut, rec } from './file-module-helpers.js';

const args: StatArgs = { path: '/etc/passwd', follow: false, get_checksum: true, checksum_algorithm: 'sha1', get_mime: true, get_attributes: true };

describe('stat', () => {
  it('reports a regular file with Ansible keys', () => {
    const p = statModule.plan!(args, probeOut(rec('p', { content: 'abc', mode: 0o4755, uid: 5, owner: 'app' })), planCtx);
    expect(p.steps).toEqual([]);
    expect(p.result?.stat).toMatchObject({
      exists: true, path: '/etc/passwd', mode: '4755', isreg: true, isdir: false, islnk: false, size: 3, uid: 5, pw_name: 'app',
      isuid: true, xoth: true, woth: false, checksum: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    });
  });

  it('reports a link with its target, and a missing path as exists: false', () => {
    const link = statModule.plan!(args, probeOut(rec('p', { type: 'link', mode: 0o777, link: '../x', real: '/x' })), planCtx);
    expect(link.result?.stat).toMatchObject({ islnk: true, lnk_target: '../x', lnk_source: '/x' });
    expect(statModule.plan!(args, probeOut(rec('p', 'absent')), planCtx).result).toEqual({ stat: { exists: false } });
  });

  it('probes with the chosen algorithm and follow flag', () => {
    expect(statModule.probe!({ ...args, checksum_algorithm: 'md5', follow: true })).toContain('rp_f p /etc/passwd L md5sum 0 -');
    expect(statModule.probe!({ ...args, get_checksum: false })).toContain('rp_f p /etc/passwd P - 0 R');
  });

  it('the parser rejects truncated output instead of guessing', () => {
    const good = rec('p', { content: 'hello' });
    expect(() => parseFileProbe(good.subarray(0, good.length - 3))).toThrow(/truncated|middle of a line/);
  });

  it('reads mime, attributes and the platform fields from the extra lines, as Ansible names them', () => {
    const extra = ['xstat 8 4096 1 3 2023-11-14 22:13:20.5 +0000 2023-11-14 22:13:20.000000001 +0000 2023-11-14 22:13:20 +0000', 'mime text/plain; charset=us-ascii', 'lsattr 42 --i----e------'];
    const p = statModule.plan!(args, probeOut(rec('p', { content: 'abc', extra })), planCtx);
    expect(p.result?.stat).toMatchObject({
      blocks: 8, block_size: 4096, device_type: 259, atime: 1700000000.5, mtime: 1700000000.000000001, ctime: 1700000000,
      mimetype: 'text/plain', charset: 'us-ascii', version: '42', attr_flags: 'ie', attributes: ['immutable', 'extents'],
    });
    // no `file`/`lsattr` on the host: Ansible's defaults
    const bare = statModule.plan!(args, probeOut(rec('p', { content: 'abc' })), planCtx);
    expect(bare.result?.stat).toMatchObject({ mimetype: 'unknown', charset: 'unknown', version: null, attributes: [], attr_flags: '' });
    const off = statModule.plan!({ ...args, get_mime: false, get_attributes: false }, probeOut(rec('p', { content: 'abc', extra })), planCtx);
    expect(off.result?.stat).not.toHaveProperty('mimetype');
    expect(off.result?.stat).not.toHaveProperty('attributes');
    expect(statModule.probe!({ ...args, get_mime: false })).not.toContain('file -b');
  });
});

import { describe, expect, it } from 'vitest';
import { attrCommands, destMatches, parseChecksum, parseDestProbe, urlBasename, type GetUrlArgs } from '../../src/modules/get-url.js';
import { have, sec } from './system-test-helpers.js';

describe('get_url helpers', () => {
  it('parses checksums and rejects bad ones', () => {
    expect(parseChecksum('sha256:ABCDEF')).toEqual({ algo: 'sha256', hex: 'abcdef' });
    expect(() => parseChecksum('crc32:1234')).toThrow(/<algorithm>:<checksum>/);
  });

  it('names the file like the URL', () => {
    expect(urlBasename('http://h/sl/4.4/jdk%201.rpm?x=1#f')).toBe('jdk 1.rpm');
    expect(urlBasename('http://h/')).toBe('index.html');
  });

  it('compares with the host digest, else sha1 of the mirror copy, else cannot tell', () => {
    const sl4 = parseDestProbe(have({ wget: true }) + sec('stat', '9 root root 644') + sec('sum-sha1', 'c0a1d4a8b9e0f9f1c0e3b3f0bb6a42b5e5c2c1f4  -'));
    expect(sl4.sums.sha256).toBeUndefined();
    const want = { algo: 'sha256' as const, hex: 'aa' };
    expect(destMatches(sl4, want)).toBeUndefined();
    expect(destMatches(sl4, want, Buffer.from('other'))).toBe(false);
    const debian = parseDestProbe(sec('stat', '9 root root 644') + sec('sum-sha256', 'aa  -'));
    expect(destMatches(debian, want)).toBe(true);
    expect(destMatches(parseDestProbe(''), want)).toBe(false);
  });

  it('changes only the attributes that differ', () => {
    const a = { mode: '0640', owner: 'root', group: 'wheel' } as GetUrlArgs;
    expect(attrCommands(a, '/x', { owner: 'root', group: 'root', mode: 0o644 })).toEqual(['chgrp wheel -- /x', 'chmod 0640 -- /x']);
    expect(attrCommands(a, '/x', { owner: 'root', group: 'wheel', mode: 0o640 })).toEqual([]);
  });
});

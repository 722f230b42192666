import { describe, expect, it } from 'vitest';
import { openFailure, slurpModule } from '../../src/modules/slurp.js';
import { planCtx, planned, probeOut, rec } from './file-module-helpers.js';

describe('slurp', () => {
  const rows = [
    { name: 'text', content: Buffer.from('hello\n') },
    { name: 'binary with NUL and newlines', content: Buffer.from([0, 10, 255, 10, 0]) },
    { name: 'content that looks like probe records', content: Buffer.from('\n@p\nabsent\nsum 00\n') },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const p = planned(() => slurpModule.plan!({ src: '/f' }, probeOut(rec('s', { content: row.content })), planCtx));
      expect(p.steps).toEqual([]);
      expect(Buffer.from(p.result?.content as string, 'base64').equals(row.content)).toBe(true);
      expect(p.result).toMatchObject({ source: '/f', encoding: 'base64' });
    });
  }

  it('fails like Ansible for missing files and directories', () => {
    expect(planned(() => slurpModule.plan!({ src: '/f' }, probeOut(rec('s', 'absent')), planCtx)).failed).toBe('file not found: /f');
    expect(planned(() => slurpModule.plan!({ src: '/d' }, probeOut(rec('s', { type: 'directory' })), planCtx)).failed).toBe('source is a directory and must be a file: /d');
  });

  it('words what cat said opening the file as Ansible words the errno', () => {
    const withError = (msg: string) => planned(() => slurpModule.plan!({ src: '/t/f' }, probeOut(Buffer.concat([rec('s', 'absent'), Buffer.from(`openerr ${msg}\n`)])), planCtx)).failed;
    expect(withError('cat: /t/f: Permission denied')).toBe('file is not readable: /t/f');
    expect(withError('cat: /t/f: No such file or directory')).toBe('file not found: /t/f');
    expect(withError('cat: /t/f: Not a directory')).toBe("unable to slurp file: [Errno 20] Not a directory: '/t/f'");
    expect(openFailure('/d', 'cat: /d: Is a directory')).toBe('source is a directory and must be a file: /d');
    expect(openFailure('/x', 'cat: /x: Something new')).toBe('unable to slurp file: cat: /x: Something new');
  });
});

import { describe, expect, it } from 'vitest';
import { slurpModule } from '../../src/modules/slurp.js';
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
    expect(planned(() => slurpModule.plan!({ src: '/d' }, probeOut(rec('s', { type: 'directory' })), planCtx)).failed).toBe('source is a directory and must be a file');
  });
});

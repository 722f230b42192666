import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { templateModule, type TemplateArgs } from '../../src/modules/template.js';
import type { RunContext } from '../../src/modules/types.js';
import { finish, planCtx, probeOut, putContent, rec } from './file-module-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rp-tpl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ctx(found: string | undefined, seen: Record<string, unknown>[] = []): RunContext {
  return {
    ...planCtx,
    controller: {
      findFile: (kind, p) => (kind === 'templates' ? found : undefined) ?? (p === '' ? undefined : undefined),
      render: (s) => s,
      evaluate: () => undefined,
      renderFile: (_p, extra) => {
        seen.push(extra ?? {});
        return 'line1\r\nline2\n';
      },
    },
  } as unknown as RunContext;
}

const base: TemplateArgs = { src: 'app.j2', dest: '/etc/app.conf', backup: false, force: true, follow: false, newline_sequence: '\n', output_encoding: 'utf-8', unsafe_writes: false };

describe('template', () => {
  it('renders with template_* variables and normalises newlines', async () => {
    const file = join(dir, 'app.j2');
    writeFileSync(file, 'x');
    const seen: Record<string, unknown>[] = [];
    const prepared = await templateModule.prepare!(base, ctx(file, seen));
    // template_path is the src as the task wrote it (Ansible's template action); the full path is template_fullpath.
    expect(seen[0]).toMatchObject({ template_path: 'app.j2', template_destpath: '/etc/app.conf' });
    const p = templateModule.plan!(prepared, probeOut(rec('d', 'absent'), rec('n', 'absent'), rec('pd', { type: 'directory' })), planCtx);
    expect(putContent(p)!.toString()).toBe('line1\nline2\n');
    const crlf = await templateModule.prepare!({ ...base, newline_sequence: '\r\n' }, ctx(file));
    expect(crlf.files[0].content.toString()).toBe('line1\r\nline2\r\n');
    const done = finish('absent', p);
    expect(templateModule.plan!(prepared, probeOut(rec('d', done), rec('pd', { type: 'directory' })), planCtx).steps).toEqual([]);
  });

  it('a missing template fails the task, naming the file', () => {
    expect(() => templateModule.prepare!(base, ctx(undefined))).toThrow("Could not find or access 'app.j2'");
  });
});

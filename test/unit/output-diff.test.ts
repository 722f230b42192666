// Expected diffs are what Python's difflib.unified_diff prints when called the way Ansible's
// CallbackBase._get_diff calls it (fromfiledate='', n=DIFF_CONTEXT=3, "\ No newline at end
// of file" appended to the last line), checked against CPython's difflib.
import { describe, expect, it } from 'vitest';
import { createDefaultReporter, formatDiff } from '../../src/output/index.js';
import { unifiedDiffLines } from '../../src/output/diff-format.js';
import { bannerLine, render, task } from './output-helpers.js';

const ESC = '\u001b';

describe('unified diff in Ansible/difflib format', () => {
  it('writes a new file as @@ -0,0 +1,N @@ with before:/after: headers', () => {
    expect(formatDiff({ before: '', after: 'a\nb\n', before_header: '/f', after_header: '/f' }, false)).toBe(
      '--- before: /f\n+++ after: /f\n@@ -0,0 +1,2 @@\n+a\n+b\n\n',
    );
  });

  it('writes single-line ranges without a count and headers "before"/"after" when none are given', () => {
    expect(formatDiff({ before: 'one\n', after: 'two\n' }, false)).toBe('--- before\n+++ after\n@@ -1 +1 @@\n-one\n+two\n\n');
  });

  it('glues the no-newline marker onto the last line, as Ansible does', () => {
    expect(unifiedDiffLines('x\ny', 'x\nz\n', 'before', 'after').join('')).toBe(
      '--- before\n+++ after\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n',
    );
  });

  it('splits distant changes into separate hunks with 3 lines of context', () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}\n`).join('');
    const after = Array.from({ length: 20 }, (_, i) => (i === 2 || i === 15 ? `L${i}\n` : `l${i}\n`)).join('');
    expect(unifiedDiffLines(before, after, 'before', 'after').join('')).toBe(
      '--- before\n+++ after\n@@ -1,6 +1,6 @@\n l0\n l1\n-l2\n+L2\n l3\n l4\n l5\n' +
        '@@ -13,7 +13,7 @@\n l12\n l13\n l14\n-l15\n+L15\n l16\n l17\n l18\n',
    );
  });

  it('serialises mapping before/after as sorted 4-space JSON (file module state diffs)', () => {
    expect(formatDiff({ before: { state: 'absent', path: '/x' }, after: { path: '/x', state: 'directory' } }, false)).toBe(
      '--- before\n+++ after\n@@ -1,4 +1,4 @@\n {\n     "path": "/x",\n-    "state": "absent"\n+    "state": "directory"\n }\n\n',
    );
  });

  it('prints nothing for identical content, and binary/size notes and prepared text as given', () => {
    expect(formatDiff({ before: 'same\n', after: 'same\n' }, false)).toBe('');
    expect(formatDiff([{ dst_binary: 1 }, { src_larger: 1024 }, { prepared: 'custom\n' }], false)).toBe(
      'diff skipped: destination file appears to be binary\ndiff skipped: source file size is greater than 1024\ncustom\n',
    );
  });

  it('colors removed lines red, added green, hunk headers cyan', () => {
    expect(formatDiff({ before: 'one\n', after: 'two\n' }, true)).toBe(
      `${ESC}[0;31m--- before${ESC}[0m\n${ESC}[0;32m+++ after${ESC}[0m\n${ESC}[0;36m@@ -1 +1 @@${ESC}[0m\n` +
        `${ESC}[0;31m-one${ESC}[0m\n${ESC}[0;32m+two${ESC}[0m\n\n`,
    );
  });
});

describe('diff in the default reporter', () => {
  const t = task('template');
  const changed = {
    kind: 'host-result' as const, task: t, host: 'a', status: 'changed' as const,
    result: { changed: true, diff: { before: 'a\n', after: 'b\n', before_header: '/etc/motd', after_header: '/etc/motd' } },
  };

  it('prints the diff before the changed line with --diff, followed by a blank line', async () => {
    const { out } = await render(createDefaultReporter, [{ kind: 'task-start', task: t }, changed], { diff: true });
    expect(out).toBe(
      `\n${bannerLine('TASK [template]')}\n--- before: /etc/motd\n+++ after: /etc/motd\n@@ -1 +1 @@\n-a\n+b\n\nchanged: [a]\n`,
    );
  });

  it('shows no diff without --diff, for unchanged results, or when the task turns it off', async () => {
    const none = await render(createDefaultReporter, [{ kind: 'task-start', task: t }, changed], { diff: false });
    expect(none.out).not.toContain('---');
    const unchanged = await render(createDefaultReporter, [{ ...changed, status: 'ok', result: { ...changed.result, changed: false } }], { diff: true });
    expect(unchanged.out).toBe(`\n${bannerLine('TASK [template]')}\nok: [a]\n`);
    const taskOff = await render(createDefaultReporter, [{ ...changed, diff: false }], { diff: true });
    expect(taskOff.out).not.toContain('---');
    const taskOn = await render(createDefaultReporter, [{ ...changed, diff: true }], { diff: false });
    expect(taskOn.out).toContain('+b\n');
  });

  it('prints per-item diffs before each item line', async () => {
    const { out } = await render(
      createDefaultReporter,
      [{ ...changed, item: 'motd', result: { changed: true, item: 'motd', diff: { before: 'x\n', after: 'y\n' } } }],
      { diff: true },
    );
    expect(out.endsWith('--- before\n+++ after\n@@ -1 +1 @@\n-x\n+y\n\nchanged: [a] => (item=motd)\n')).toBe(true);
  });
});

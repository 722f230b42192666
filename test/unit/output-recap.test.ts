// PLAY RECAP format from lib/ansible/plugins/callback/default.py v2_playbook_on_stats and
// lib/ansible/utils/color.py: hostcolor() pads to 26 ("%-26s"; "%-37s" around the 11 bytes of
// color codes), colorize() prints "%s=%-4s" and colors only non-zero counts.
import { describe, expect, it } from 'vitest';
import { formatRecapLine, hostStatsFromEvents } from '../../src/output/index.js';
import type { RunEvent } from '../../src/output/events.js';
import { stats, task } from './output-helpers.js';

const ESC = '\u001b';

describe('formatRecapLine', () => {
  it('matches Ansible byte for byte without color', () => {
    expect(formatRecapLine('localhost', stats({ ok: 2, changed: 1 }), false)).toBe(
      'localhost                  : ok=2    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
    );
  });

  it('keeps fields aligned past 4 digits and long host names unpadded', () => {
    const host = 'a-very-long-host-name.example.com';
    expect(formatRecapLine(host, stats({ ok: 12345, skipped: 7 }), false)).toBe(
      `${host} : ok=12345 changed=0    unreachable=0    failed=0    skipped=7    rescued=0    ignored=0   `,
    );
  });

  it('colors the host by worst status and only the non-zero counts', () => {
    expect(formatRecapLine('web1', stats({ ok: 3, changed: 1 }), true)).toBe(
      `${ESC}[0;33mweb1${ESC}[0m${' '.repeat(22)} : ${ESC}[0;32mok=3   ${ESC}[0m ${ESC}[0;33mchanged=1   ${ESC}[0m ` +
        'unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
    );
    const bad = formatRecapLine('db', stats({ unreachable: 1, ignored: 2, rescued: 1, skipped: 1 }), true);
    expect(bad.startsWith(`${ESC}[0;31mdb${ESC}[0m${' '.repeat(24)} : ok=0    changed=0    ${ESC}[1;31munreachable=1   ${ESC}[0m failed=0    `)).toBe(true);
    expect(bad.endsWith(`${ESC}[0;36mskipped=1   ${ESC}[0m ${ESC}[0;32mrescued=1   ${ESC}[0m ${ESC}[1;35mignored=2   ${ESC}[0m`)).toBe(true);
    expect(formatRecapLine('ok', stats({ ok: 1 }), true).startsWith(`${ESC}[0;32mok${ESC}[0m`)).toBe(true);
  });
});

describe('hostStatsFromEvents', () => {
  it('counts like Ansible: changed is also ok, ignored failures are ok + ignored, items are not counted', () => {
    const t = task('t');
    const ev = (host: string, status: 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable', extra = {}): RunEvent => ({
      kind: 'host-result', task: t, host, status, result: {}, ...extra,
    });
    const s = hostStatsFromEvents([
      ev('a', 'ok'),
      ev('a', 'changed'),
      ev('a', 'changed', { item: 1 }),
      ev('a', 'failed', { ignored: true }),
      ev('a', 'skipped'),
      ev('b', 'unreachable'),
      ev('c', 'failed'),
    ]);
    expect(s).toEqual({
      a: stats({ ok: 3, changed: 1, ignored: 1, skipped: 1 }),
      b: stats({ unreachable: 1 }),
      c: stats({ failed: 1 }),
    });
  });
});

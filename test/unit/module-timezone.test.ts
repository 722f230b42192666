// timezone's plan from probed facts, case by case; each case's finished state plans nothing.
import { describe, expect, it } from 'vitest';
import type { FileFacts } from '../../src/facts/file-probe.js';
import { planTimezone, type TimezoneArgs, type TimezoneFacts } from '../../src/modules/timezone.js';

const ctx = { check: false, diff: false, host: 'h', vars: {} };
const file = (content: string): FileFacts => ({ exists: true, type: 'file', content: Buffer.from(content), extra: {} }) as unknown as FileFacts;
const link = (target: string): FileFacts => ({ exists: true, type: 'link', linkTarget: target, extra: {} }) as unknown as FileFacts;
const zone = { exists: true, type: 'file', checksum: 'abc', extra: {} } as unknown as FileFacts;

const debian = (tz: string, lt: FileFacts): TimezoneFacts => ({ dpkgReconfigure: true, files: { tz: file(`${tz}\n`), lt }, zoneinfo: zone });
const redhat = (clock: string, lt: FileFacts): TimezoneFacts => ({ dpkgReconfigure: false, files: { clock: file(clock), lt }, zoneinfo: zone });
const systemd = (tz: string, rtc: string): TimezoneFacts => ({ timedatectl: `      Time zone: ${tz} (UTC, +0000)\nRTC in local TZ: ${rtc}\n`, dpkgReconfigure: true, files: {} });

const CASES: [string, TimezoneArgs, TimezoneFacts, RegExp[], TimezoneFacts][] = [
  ['Debian: /etc/timezone, the link, dpkg-reconfigure', { name: 'Europe/Paris' }, debian('Etc/UTC', link('/usr/share/zoneinfo/Etc/UTC')), [/^cat > '?\/etc\/timezone'?$/, /ln -sf '?\/usr\/share\/zoneinfo\/Europe\/Paris'? \/etc\/localtime && .*dpkg-reconfigure/], debian('Europe/Paris', link('/usr/share/zoneinfo/Europe/Paris'))],
  ['Debian: the file right, the link wrong', { name: 'Europe/Paris' }, debian('Europe/Paris', link('/usr/share/zoneinfo/Etc/UTC')), [/cat >/, /ln -sf/], debian('Europe/Paris', link('/usr/share/zoneinfo/Europe/Paris'))],
  ['Red Hat: ZONE= in /etc/sysconfig/clock, a copied file', { name: 'Europe/Paris' }, redhat('ZONE="America/New_York"\nUTC=true\n', file('x')), [/cat > '?\/etc\/sysconfig\/clock'?/, /cp --remove-destination/], redhat('ZONE="Europe/Paris"\nUTC=true\n', { ...zone })],
  ['systemd: timedatectl', { name: 'Europe/Paris', hwclock: 'local' }, systemd('Etc/UTC', 'no'), [/timedatectl set-local-rtc yes/, /timedatectl set-timezone '?Europe\/Paris'?/], systemd('Europe/Paris', 'yes')],
];

describe('timezone', () => {
  it.each(CASES)('%s', (_n, args, facts, cmds, finished) => {
    const plan = planTimezone(args, facts, ctx);
    expect(plan.steps.map((s) => (s.kind === 'exec' ? s.cmd : ''))).toEqual(cmds.map((re) => expect.stringMatching(re)));
    expect(planTimezone(args, finished, ctx).steps).toEqual([]);
  });

  it('writes /etc/sysconfig/clock as the module edits it: the ZONE line replaced where it was', () => {
    const plan = planTimezone({ name: 'Europe/Paris' }, redhat('# comment\nZONE="A/B"\nUTC=true\nZONE=dup\n', file('x')), ctx);
    const put = plan.steps[0];
    expect(put.kind === 'exec' && put.stdin).toBe('# comment\nZONE="Europe/Paris"\nUTC=true\n');
    expect(plan.result).toEqual({ diff: { before: { name: 'A/B' }, after: { name: 'Europe/Paris' } } });
  });

  it('refuses a zone the host does not have', () => {
    expect(() => planTimezone({ name: 'Mars/Olympus' }, { ...debian('Etc/UTC', link('/usr/share/zoneinfo/Etc/UTC')), zoneinfo: { exists: false, extra: {} } }, ctx)).toThrow('given timezone "Mars/Olympus" is not available');
  });
});

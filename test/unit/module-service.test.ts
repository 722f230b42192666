import { describe, expect, it } from 'vitest';
import { parseChkconfig, parseServiceProbe, planService, type ServiceArgs } from '../../src/modules/service.js';
import { cmds, ctx, have, out, sec } from './system-test-helpers.js';

const SYSV = have({ chkconfig: true, 'update-rc.d': false, systemctl: false, service: true, initscript: true });
const running = sec('status', 'httpd (pid 3260) is running...', 0);
const stopped = sec('status', 'httpd is stopped', 3);
const chk = (levels: string) => sec('chkconfig', `httpd          ${levels}`);

function plan(args: Partial<ServiceArgs>, ...probe: string[]) {
  const a: ServiceArgs = { name: 'httpd', ...args };
  return planService(a, parseServiceProbe(out(SYSV, ...probe), a), ctx);
}

describe('service/sysvinit plan', () => {
  it.each([
    ['start a stopped service', { state: 'started' as const }, [stopped], ['service httpd start']],
    ['stop a running one', { state: 'stopped' as const }, [running], ['service httpd stop']],
    ['reload a stopped one starts it', { state: 'reloaded' as const }, [stopped], ['service httpd start']],
    ['enable in runlevels 3 and 5 by default', { enabled: true }, [chk('0:off 1:off 2:off 3:off 4:off 5:off 6:off')], ['chkconfig httpd on']],
    ['enable in given runlevels', { enabled: true, runlevels: ['3', '4', '5'] }, [chk('0:off 1:off 2:on 3:on 4:off 5:on 6:off')], ['chkconfig --level 345 httpd on']],
    ['disable', { enabled: false }, [chk('0:off 1:off 2:on 3:on 4:on 5:on 6:off')], ['chkconfig httpd off']],
  ])('%s', (_t, args, probe, want) => {
    const c = cmds(plan(args, ...probe));
    expect(c.length).toBe(want.length);
    want.forEach((w, i) => expect(c[i]).toContain(w));
  });

  it.each([
    ['started and running', { state: 'started' as const }, [running]],
    ['stopped and stopped', { state: 'stopped' as const }, [stopped]],
    ['enabled in 3 and 5', { enabled: true }, [chk('0:off 1:off 2:off 3:on 4:off 5:on 6:off')]],
    ['enabled in the given runlevels', { enabled: true, runlevels: ['3', '4'] }, [chk('0:off 1:off 2:off 3:on 4:on 5:off 6:off')]],
    ['disabled', { enabled: false }, [chk('0:off 1:off 2:off 3:off 4:off 5:off 6:off')]],
  ])('finished state plans nothing: %s', (_t, args, probe) => {
    expect(plan(args, ...probe).steps).toEqual([]);
  });

  it('an SL4 script that exits 0 but prints "is stopped" counts as stopped', () => {
    expect(cmds(plan({ state: 'started' }, sec('status', 'httpd is stopped', 0)))).toHaveLength(1);
  });

  it('restarted always changes', () => {
    expect(cmds(plan({ state: 'restarted' }, running))[0]).toContain('service httpd restart');
  });

  it('adds the script to chkconfig first when it is not referenced', () => {
    const c = cmds(plan({ enabled: true }, sec('chkconfig', "service httpd supports chkconfig, but is not referenced in any runlevel (run 'chkconfig --add httpd')", 1)));
    expect(c[0]).toContain('chkconfig --add httpd');
    expect(c[1]).toContain('chkconfig httpd on');
  });

  it('finds a running process by pattern, ignoring its own probe', () => {
    const a: ServiceArgs = { name: 'httpd', state: 'started', pattern: '/usr/sbin/httpd' };
    const f = parseServiceProbe(out(SYSV, stopped, sec('ps', "sh -c echo '@@have' /usr/sbin/httpd\n/usr/sbin/httpd -k start")), a);
    expect(f.running).toBe(true);
    const g = parseServiceProbe(out(SYSV, stopped, sec('ps', "sh -c echo '@@have' /usr/sbin/httpd")), a);
    expect(g.running).toBe(false);
  });

  it('parses chkconfig --list including xinetd services', () => {
    expect(parseChkconfig('rsync          on', 'rsync').levels?.['3']).toBe(true);
    expect(parseChkconfig('sshd           0:off 1:off 2:on 3:on 4:on 5:on 6:off', 'sshd').levels).toMatchObject({ '1': false, '2': true });
  });
});

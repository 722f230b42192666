import { describe, expect, it } from 'vitest';
import { parseXenDomainProbe, parseXmList, planXenDomain, type XenDomainArgs } from '../../src/modules/xen-domain.js';
import { cmds, ctx, out, planned, sec } from './system-test-helpers.js';

const LIST = `Name                                      ID Mem(MiB) VCPUs State   Time(s)
Domain-0                                   0      987     2 r-----   4420.3
web1                                       7      512     1 -b----     73.9
`;
const xm = (text = LIST) => sec('xm', text);
const link = (to?: string) => (to ? sec('link', to) : sec('link', '', 1));

function plan(args: Partial<XenDomainArgs>, ...probe: string[]) {
  const a: XenDomainArgs = { name: 'web1', config: '/etc/xen/web1', state: 'running', shutdown_timeout: 300, auto_dir: '/etc/xen/auto', ...args };
  return planned(() => planXenDomain(a, parseXenDomainProbe(out(...probe)), ctx));
}

describe('xen_domain plan', () => {
  it('parses xm list', () => {
    expect(parseXmList(LIST)).toEqual([
      { name: 'Domain-0', id: 0, memMb: 987, vcpus: 2, state: 'r-----' },
      { name: 'web1', id: 7, memMb: 512, vcpus: 1, state: '-b----' },
    ]);
  });

  it.each([
    ['start a stopped domain', { name: 'db1', config: '/etc/xen/db1' }, [xm(), link()], ['xm create /etc/xen/db1']],
    ['autostart link', { autostart: true }, [xm(), link()], ['ln -sf /etc/xen/web1 /etc/xen/auto/web1']],
    ['shut down', { state: 'shutdown' as const }, [xm(), link()], ['xm shutdown web1']],
    ['absent: shut down and drop the link', { state: 'absent' as const }, [xm(), link('/etc/xen/web1')], ['rm -f /etc/xen/auto/web1', 'xm shutdown web1']],
  ])('%s', (_t, args, probe, want) => {
    const c = cmds(plan(args, ...probe));
    expect(c.length).toBe(want.length);
    want.forEach((w, i) => expect(c[i]).toContain(w));
  });

  it.each([
    ['running with its link', { autostart: true }, [xm(), link('/etc/xen/web1')]],
    ['shut down', { name: 'db1', state: 'shutdown' as const }, [xm(), link()]],
    ['absent', { name: 'db1', state: 'absent' as const }, [xm(), link()]],
  ])('finished state plans nothing: %s', (_t, args, probe) => {
    expect(plan(args, ...probe).steps).toEqual([]);
  });

  it('the shutdown waits a bounded time', () => {
    expect(cmds(plan({ state: 'shutdown', shutdown_timeout: 30 }, xm(), link()))[0]).toMatch(/-ge 30 .*did not shut down within 30 seconds/);
  });

  it('fails without a config to start, or when xm fails', () => {
    expect(plan({ name: 'db1', config: undefined }, xm(), link()).failed).toMatch(/config is required/);
    expect(plan({}, sec('xm', 'Error: Unable to connect to xend: No such file or directory', 1), link()).failed).toMatch(/xend/);
  });
});

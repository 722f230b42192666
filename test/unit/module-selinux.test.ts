import { describe, expect, it } from 'vitest';
import { configValue, parseSelinuxProbe, planSelinux, setConfigValue, type SelinuxArgs } from '../../src/modules/selinux.js';
import { cmds, ctx, have, out, planned, sec } from './system-test-helpers.js';

const conf = (state: string, type = 'targeted') => sec('config', `# comment\nSELINUX=${state}\nSELINUXTYPE=${type}\n`);
const live = (s: string) => sec('getenforce', s);
const HAVE = have({ getenforce: true });

function plan(args: Partial<SelinuxArgs>, ...probe: string[]) {
  const a: SelinuxArgs = { state: 'enforcing', policy: 'targeted', configfile: '/etc/selinux/config', update_kernel_param: false, ...args };
  return planned(() => planSelinux(a, parseSelinuxProbe(out(...probe), a), ctx));
}

describe('selinux plan', () => {
  it.each([
    ['enforcing → permissive: setenforce 0 and config', { state: 'permissive' as const }, [live('Enforcing'), conf('enforcing')], ['setenforce 0'], false],
    ['permissive → enforcing', { state: 'enforcing' as const }, [live('Permissive'), conf('permissive')], ['setenforce 1'], false],
    ['enforcing → disabled goes permissive for now', { state: 'disabled' as const }, [live('Enforcing'), conf('enforcing')], ['setenforce 0'], true],
    ['disabled → enforcing needs a reboot', { state: 'enforcing' as const }, [live('Disabled'), conf('disabled')], [], true],
  ])('%s', (_t, args, probe, want, reboot) => {
    const p = plan(args, HAVE, ...probe);
    expect(cmds(p).map((c) => c.replace(/^.*&& /, ''))).toEqual(want);
    expect(p.steps.some((s) => s.kind === 'put')).toBe(true);
    expect(p.result?.reboot_required).toBe(reboot);
  });

  it.each([
    ['enforcing', { state: 'enforcing' as const }, [live('Enforcing'), conf('enforcing')]],
    ['permissive', { state: 'permissive' as const }, [live('Permissive'), conf('permissive')]],
    ['disabled', { state: 'disabled' as const, policy: undefined }, [live('Disabled'), conf('disabled')]],
  ])('finished state plans nothing: %s', (_t, args, probe) => {
    expect(plan(args, HAVE, ...probe).steps).toEqual([]);
  });

  it('keeps other lines and writes the new config as a whole file', () => {
    const p = plan({ state: 'permissive', policy: 'strict' }, HAVE, live('Permissive'), conf('permissive'));
    const put = p.steps.find((s) => s.kind === 'put') as { content: Buffer };
    expect(put.content.toString()).toBe('# comment\nSELINUX=permissive\nSELINUXTYPE=strict\n');
    expect(p.result?.msg).toBe("SELinux policy configuration in '/etc/selinux/config' changed from 'targeted' to 'strict'");
  });

  it('needs a policy unless disabling, and SELinux to enable it', () => {
    expect(plan({ policy: undefined }, HAVE, live('Enforcing'), conf('enforcing')).failed).toBe("Policy is required if state is not 'disabled'");
    expect(plan({}, have({ getenforce: false }), sec('getenforce', 'not found', 127), sec('config', '', 1)).failed).toMatch(/not available/);
  });

  it('edits config values', () => {
    expect(configValue('SELINUX = "enforcing"\n', 'SELINUX')).toBe('enforcing');
    expect(setConfigValue('A=1\n', 'SELINUX', 'disabled')).toBe('A=1\nSELINUX=disabled\n');
    expect(setConfigValue('SELINUX=a\nSELINUX=b\n', 'SELINUX', 'c')).toBe('SELINUX=c\n');
  });
});

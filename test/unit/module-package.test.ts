import { describe, expect, it } from 'vitest';
import { chooseMgr, parseAptUpdates, parsePackageProbe, parseYumUpdates, planPackage, type PackageArgs, type PackageRequest } from '../../src/modules/package-manager.js';
import { cmds, ctx, have, out, planned, sec } from './system-test-helpers.js';

const RPM_HOST = have({ yum: true, 'apt-get': false, rpm: true, 'dpkg-query': false });
const notInstalled = (n: string) => sec(`rpm:${n}`, `package ${n} is not installed`, 1);
const installed = (n: string, v: string) => sec(`rpm:${n}`, `${n} ${v}`);

function plan(args: Partial<PackageArgs>, ...probe: string[]) {
  const a: PackageRequest = { args: { name: ['httpd'], state: 'present', ...args }, mgr: 'auto' };
  return planned(() => planPackage(a, parsePackageProbe(out(...probe), a), ctx));
}

describe('package/yum plan', () => {
  it.each([
    ['present, missing → install only the missing', { name: ['bash', 'httpd'] }, [installed('bash', '3.0-19.3'), notInstalled('httpd')], /yum -d 0 -e 0 -y install httpd && rpm -q httpd/],
    ['absent, installed → remove', { name: ['httpd'], state: 'absent' as const }, [installed('httpd', '2.0.52-28.ent')], /yum -d 0 -e 0 -y remove httpd$/],
    ['latest with an update → update', { name: ['bash'], state: 'latest' as const }, [installed('bash', '3.0-19.3'), sec('yum-updates', 'bash.i386     3.0-19.6     sl-base', 100)], /yum -d 0 -e 0 -y update bash$/],
  ])('%s', (_t, args, probe, re) => {
    const p = plan(args, RPM_HOST, ...probe);
    expect(p.failed).toBeUndefined();
    expect(cmds(p).join('\n')).toMatch(re);
  });

  it.each([
    ['present and installed', { name: ['httpd'] }, [installed('httpd', '2.0.52-28.ent')]],
    ['absent and not installed', { name: ['httpd'], state: 'absent' as const }, [notInstalled('httpd')]],
    ['latest, check-update finds nothing (rc 0)', { name: ['bash'], state: 'latest' as const }, [installed('bash', '3.0-19.6'), sec('yum-updates', '', 0)]],
  ])('finished state plans nothing: %s', (_t, args, probe) => {
    expect(plan(args, RPM_HOST, ...probe).steps).toEqual([]);
  });

  it('reports results the way Ansible words them', () => {
    const p = plan({ name: ['httpd'] }, RPM_HOST, installed('httpd', '2.0.52-28.ent'));
    expect(p.result?.results).toEqual(['httpd-2.0.52-28.ent providing httpd is already installed']);
  });

  it('uses apt-get over rpm (apt-rpm) when there is no yum', () => {
    const p = plan({}, have({ yum: false, 'apt-get': true, rpm: true, 'dpkg-query': false }), notInstalled('httpd'));
    expect(cmds(p)[0]).toMatch(/apt-get -q -y install httpd/);
  });

  it('reads dpkg on Debian', () => {
    const p = plan({ name: ['curl'] }, have({ yum: false, 'apt-get': true, rpm: false, 'dpkg-query': true }), sec('dpkg:curl', 'install ok installed 7.88.1-10'));
    expect(p.steps).toEqual([]);
  });

  it('fails clearly without a package manager', () => {
    expect(plan({}, have({ yum: false, 'apt-get': false, rpm: false, 'dpkg-query': false })).failed).toMatch(/Could not find a package manager/);
  });

  it('takes the manager from use: or ansible_pkg_mgr', () => {
    expect(chooseMgr('apt_rpm', 'yum')).toBe('apt_rpm');
    expect(chooseMgr('auto', 'yum')).toBe('yum');
    expect(chooseMgr(undefined, 'dnf')).toBe('yum');
    expect(chooseMgr('auto', undefined)).toBe('auto');
  });

  it('parses check-update and apt-get -s lines', () => {
    expect(parseYumUpdates('\nbash.i386   3.0-19.6   sl-base\nkernel-smp.i686  2.6.9-42.0.3.EL  sl-security\n')).toEqual({ bash: '3.0-19.6', 'kernel-smp': '2.6.9-42.0.3.EL' });
    expect(parseAptUpdates('Inst curl [7.1] (7.2 Debian:12/stable [amd64])\nConf curl (7.2)\n')).toEqual({ curl: '7.2' });
  });
});

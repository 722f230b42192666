// Table tests for systemd_service, service on a systemd host, service_facts and hostname:
// probe output as the probes print it, through the real parsers, into the pure plans.
// Each case is planned once more with its finished-state facts, which must plan nothing.
import { describe, expect, it } from 'vitest';
import { parseListUnitFiles, parseListUnits, parseSystemctlShow, type ServiceFact } from '../../src/facts/parsers/systemctl.js';
import { fileWithName, hostnameCommands, parseHostnameProbe, permanentFromFile } from '../../src/modules/hostname.js';
import { parseServiceFacts, planServiceFacts } from '../../src/modules/service-facts.js';
import { parseServiceOrSystemdProbe, planService, serviceOrSystemdProbe } from '../../src/modules/service.js';
import { parseSystemdProbe, planSystemd, prepareSystemd, systemdProbe, type SystemdArgs } from '../../src/modules/systemd.js';
import { ModuleFailure } from '../../src/modules/types.js';
import { cmds, ctx, out, sec } from './system-test-helpers.js';

interface Unit {
  active?: string;
  enabled?: string;
  enabledRc?: number;
  loadState?: string;
  initd?: boolean;
}

/** What systemdProbe prints for a unit in this state. */
function probe(u: Unit): string {
  const load = u.loadState ?? 'loaded';
  const enabled = u.enabled ?? 'disabled';
  return [
    sec('show', `Id=demo.service\nLoadState=${load}\nActiveState=${u.active ?? 'inactive'}\nExecStart={ path=/bin/sleep ; argv[]=/bin/sleep infinity ;\n  status=0/0 }\nDescription={odd`),
    sec('showerr', ''),
    sec('is-enabled', load === 'not-found' ? '' : enabled, u.enabledRc ?? (['enabled', 'static', 'alias', 'indirect'].includes(enabled) ? 0 : 1)),
    sec('list-unit-files', '', load === 'not-found' ? 1 : 0),
    sec('is-active', u.active ?? 'inactive', u.active === 'active' ? 0 : 3),
    u.initd ? '@@initd\n' : '',
  ].join('');
}

const base: SystemdArgs = { name: 'demo', daemon_reload: false, daemon_reexec: false, scope: 'system', no_block: false };
const plan = (args: Partial<SystemdArgs>, u: Unit) => planSystemd({ ...base, ...args }, parseSystemdProbe(out(probe(u))), ctx);

describe('systemd_service plan', () => {
  const cases: [string, Partial<SystemdArgs>, Unit, string[], Unit][] = [
    ['start', { state: 'started' }, { active: 'inactive' }, ["systemctl start demo"], { active: 'active' }],
    ['stop', { state: 'stopped' }, { active: 'active' }, ["systemctl stop demo"], { active: 'inactive' }],
    ['stop a deactivating unit', { state: 'stopped' }, { active: 'deactivating' }, ["systemctl stop demo"], { active: 'inactive' }],
    ['enable, then start', { state: 'started', enabled: true }, {}, ["systemctl enable demo", "systemctl start demo"], { active: 'active', enabled: 'enabled' }],
    ['disable', { enabled: false }, { enabled: 'enabled' }, ["systemctl disable demo"], { enabled: 'disabled' }],
    ['an indirect unit counts as disabled', { enabled: true }, { enabled: 'indirect' }, ["systemctl enable demo"], { enabled: 'enabled' }],
    ['mask', { masked: true }, {}, ["systemctl mask demo"], { enabled: 'masked', loadState: 'masked' }],
    ['unmask', { masked: false }, { enabled: 'masked', loadState: 'masked' }, ["systemctl unmask demo"], {}],
    ['user scope, no block', { state: 'started', scope: 'user', no_block: true }, {}, ["systemctl --user --no-block start demo"], { active: 'active' }],
    ['an init script linked in rc?.d counts as enabled', { enabled: false }, { initd: true, enabled: 'sysv-ish', enabledRc: 1 }, [], { initd: true }],
  ];
  it.each(cases)('%s', (_t, args, before, want, after) => {
    const c = cmds(plan(args, before));
    expect(c.length).toBe(want.length);
    want.forEach((w, i) => expect(c[i]).toContain(w));
    expect(plan(args, after).steps).toEqual([]);
    expect(plan(args, after).result?.changed).toBe(false);
  });

  it('restarted and reloaded always act, and report state started', () => {
    for (const state of ['restarted', 'reloaded'] as const) {
      const p = plan({ state }, { active: 'active' });
      expect(cmds(p)[0]).toContain(`systemctl ${state.slice(0, -2)} demo`);
      expect(p.result).toMatchObject({ changed: true, state: 'started', name: 'demo' });
      expect(cmds(plan({ state }, {}))[0]).toContain("systemctl start demo");
    }
  });

  it('returns systemctl show as status, and a daemon-reload alone runs but changes nothing', () => {
    const p = plan({ state: 'started', daemon_reload: true }, { active: 'active' });
    expect(p.result?.status).toMatchObject({ Id: 'demo.service', ActiveState: 'active', Description: '{odd' });
    expect((p.result?.status as Record<string, string>).ExecStart).toBe('{ path=/bin/sleep ; argv[]=/bin/sleep infinity ;\n  status=0/0 }');
    expect(cmds(p)).toHaveLength(1);
    expect(cmds(p)[0]).toContain('systemctl daemon-reload');
    expect(p.result?.changed).toBe(false);
    const alone = planSystemd({ ...base, name: undefined, daemon_reload: true }, parseSystemdProbe(out('')), ctx);
    expect(cmds(alone)).toHaveLength(1);
    expect(alone.result).toMatchObject({ changed: false, name: null });
  });

  it("fails as Ansible does: a unit that is not there, no systemctl, globs, state without name", () => {
    expect(() => plan({ state: 'started' }, { loadState: 'not-found' })).toThrow('Could not find the requested service demo: host');
    expect(() => planSystemd(base, parseSystemdProbe(out('@@nosystemctl\n/usr/bin:/bin\n')), ctx)).toThrow('Failed to find required executable "systemctl" in paths: /usr/bin:/bin (host sl44 has no systemd)');
    expect(() => prepareSystemd({ ...base, name: 'web*' })).toThrow("This module does not currently support using glob patterns, found '*' in service name: web*");
    expect(() => prepareSystemd({ ...base, name: undefined, state: 'started' })).toThrow("missing parameter(s) required by 'state': name");
    const bare = out(sec('show', '', 1), sec('showerr', 'System has not been booted with systemd', 1), sec('is-enabled', '', 1), sec('list-unit-files', '', 1), sec('bare', 'System has not been booted with systemd', 1), '@@bin /usr/bin/systemctl\n');
    let failure: ModuleFailure | undefined;
    try {
      planSystemd({ ...base, state: 'started' }, parseSystemdProbe(bare), ctx);
    } catch (e) {
      failure = e as ModuleFailure;
    }
    expect(failure?.message).toBe('System has not been booted with systemd');
    expect(failure?.fields).toMatchObject({ cmd: '/usr/bin/systemctl', rc: 1 });
  });

  it('quotes the unit name in the probe', () => {
    expect(systemdProbe({ ...base, name: "a'b" })).toContain(`show 'a'\\''b'`);
  });
});

describe('service on a systemd host (use: auto)', () => {
  it('probes systemd where it runs and plans as the systemd module, warning about SysV-only arguments', () => {
    expect(serviceOrSystemdProbe({ name: 'demo', use: 'auto' })).toContain('[ -d /run/systemd/system ]');
    const args = { name: 'demo', state: 'started' as const, pattern: 'x', use: 'auto' };
    const f = parseServiceOrSystemdProbe(out('@@svcmgr systemd\n', probe({})), args);
    const p = planService(args, f, ctx);
    expect(cmds(p)[0]).toContain("systemctl start demo");
    expect(p.result?.warnings).toEqual(['Ignoring "pattern" as it is not used in "systemd"']);
    expect(planService(args, parseServiceOrSystemdProbe(out('@@svcmgr systemd\n', probe({ active: 'active' })), args), ctx).steps).toEqual([]);
  });
});

describe('service_facts', () => {
  it('reads list-units (dropping the marker of a bad unit), list-unit-files and the ActiveState of the rest', () => {
    const units = [
      '  UNIT                 LOAD      ACTIVE   SUB     DESCRIPTION',
      '  cron.service         loaded    active   running Regular background program',
      '● gone.service         not-found inactive dead    gone.service',
      '  ssh.service          loaded    inactive dead    OpenBSD Secure Shell server',
      '',
      'LOAD   = Reflects whether the unit definition was properly loaded.',
    ].join('\n');
    const files = ['UNIT FILE            STATE    VENDOR PRESET', 'cron.service         enabled  enabled', 'ssh.service          disabled enabled', 'extra.service        static   -', 'getty@.service       enabled  enabled', '', '4 unit files listed.'].join('\n');
    const f = parseServiceFacts(out(sec('list-units', units), sec('list-unit-files', files), '@@active extra.service inactive\n'));
    expect(planServiceFacts({}, f).result?.ansible_facts).toEqual({
      services: {
        'cron.service': { name: 'cron.service', state: 'running', status: 'enabled', source: 'systemd' },
        'gone.service': { name: 'gone.service', state: 'stopped', status: 'not-found', source: 'systemd' },
        'ssh.service': { name: 'ssh.service', state: 'stopped', status: 'disabled', source: 'systemd' },
        'extra.service': { name: 'extra.service', state: 'inactive', status: 'static', source: 'systemd' },
        'getty@.service': { name: 'getty@.service', state: 'unknown', status: 'enabled', source: 'systemd' },
      },
    });
  });

  it('reads SysV: service --status-all on Debian, chkconfig with each status on Red Hat; nothing found skips', () => {
    const deb = parseServiceFacts(out(sec('status-all', ' [ + ]  cron\n [ - ]  rsync\n')));
    expect(deb.services).toEqual({ cron: { name: 'cron', state: 'running', source: 'sysv' }, rsync: { name: 'rsync', state: 'stopped', source: 'sysv' } });
    const rh = parseServiceFacts(out(sec('chkconfig', 'sshd           0:off\t1:off\t2:on\t3:on\t4:on\t5:on\t6:off\nxend           0:off\t1:off\t2:off\t3:off\t4:off\t5:off\t6:off\nxinetd based services:\n\tchargen: off\n'), '@@svc-rc 0 sshd\n@@svc-rc 3 xend\n'));
    expect(rh.services).toEqual({ sshd: { name: 'sshd', state: 'running', status: 'enabled', source: 'sysv' }, xend: { name: 'xend', state: 'stopped', status: 'disabled', source: 'sysv' } });
    expect(planServiceFacts({}, parseServiceFacts(out(''))).result).toEqual({ skipped: true, msg: 'Failed to find any services. This can be due to privileges or some other configuration issue.' });
  });

  it('parses show, list-units and list-unit-files as standalone parsers', () => {
    expect(parseSystemctlShow('A=1\nExecStart={ x\ny }\nB= 2 ')).toEqual({ A: '1', ExecStart: '{ x\ny }', B: '2' });
    const s: Record<string, ServiceFact> = {};
    parseListUnits('● a.service loaded failed failed A\n', s);
    parseListUnitFiles('a.service enabled enabled\n', s, {});
    // a bad state wins over the unit file's
    expect(s['a.service']).toEqual({ name: 'a.service', state: 'stopped', status: 'failed', source: 'systemd' });
  });
});

describe('hostname', () => {
  const debian = '@@distro debian\n';
  it('Debian without systemd: /etc/hostname only, as Ansible\'s file strategy', () => {
    const f = parseHostnameProbe(`${debian}${sec('file:/etc/hostname', 'node01\n')}@@fqdn node01\n`, { name: 'web01' });
    expect(f).toMatchObject({ strategy: 'file', current: 'node01', permanent: 'node01' });
    expect(hostnameCommands({ name: 'web01' }, f)).toEqual([{ cmd: 'cat > /etc/hostname', stdin: 'web01\n' }]);
    const done = parseHostnameProbe(`${debian}${sec('file:/etc/hostname', 'web01\n')}@@fqdn web01\n`, { name: 'web01' });
    expect(hostnameCommands({ name: 'web01' }, done)).toEqual([]);
  });

  it('systemd: hostnamectl static, then transient; use: debian is systemd too, as in Ansible', () => {
    const probeOut = (t: string, s: string) => `@@have systemd yes\n${debian}${sec('transient', t)}${sec('static', s)}@@fqdn x\n`;
    const f = parseHostnameProbe(probeOut('node01', 'node01'), { name: 'web01' });
    expect(hostnameCommands({ name: 'web01' }, f).map((c) => c.cmd)).toEqual(['hostnamectl --pretty --static set-hostname web01', 'hostnamectl --transient set-hostname web01']);
    expect(hostnameCommands({ name: 'web01' }, parseHostnameProbe(probeOut('web01', 'web01'), { name: 'web01' }))).toEqual([]);
    expect(parseHostnameProbe(`${debian}${sec('transient', 'a')}${sec('static', 'a')}`, { name: 'a', use: 'debian' }).strategy).toBe('systemd');
    expect(() => hostnameCommands({ name: 'x'.repeat(65) }, f)).toThrow('name cannot be longer than 64 characters on systemd servers, try a shorter name');
  });

  it('Red Hat (SL 4.4): the HOSTNAME= line of /etc/sysconfig/network', () => {
    const net = 'NETWORKING=yes\nHOSTNAME=node01\nGATEWAY=10.0.0.1\n';
    expect(permanentFromFile('redhat', net)).toBe('node01');
    expect(fileWithName('redhat', net, 'web01')).toBe('NETWORKING=yes\nHOSTNAME=web01\nGATEWAY=10.0.0.1\n');
    // Ansible appends to the last line as it is, newline or not
    expect(fileWithName('redhat', 'NETWORKING=yes', 'web01')).toBe('NETWORKING=yesHOSTNAME=web01\n');
    expect(() => permanentFromFile('redhat', 'NETWORKING=yes\n')).toThrow('Unable to locate HOSTNAME entry in /etc/sysconfig/network');
    const f = parseHostnameProbe(`@@distro redhat\n${sec('file:/etc/sysconfig/network', `${net}\n`)}`, { name: 'web01' });
    expect(hostnameCommands({ name: 'web01' }, f)).toEqual([{ cmd: 'cat > /etc/sysconfig/network', stdin: 'NETWORKING=yes\nHOSTNAME=web01\nGATEWAY=10.0.0.1\n' }]);
  });

  it('an unknown distribution without systemd fails with Ansible\'s words', () => {
    expect(() => parseHostnameProbe('@@distro plan9\n', { name: 'a' })).toThrow('hostname module cannot be used on platform Linux (Plan9)');
  });
});

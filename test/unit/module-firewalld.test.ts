// The firewalld module's pure half: each row's probe output (as the probe prints it) goes
// through the real parser, the plan's firewall-cmd / firewall-offline-cmd steps and
// Ansible's messages are checked, and the row planned again with its finished state (each
// changed configuration now answering the other way) must plan nothing.
import { describe, expect, it } from 'vitest';
import { firewalldModule, parseFirewalld, planFirewalld } from '../../src/modules/firewalld.js';
import type { FirewalldArgs } from '../../src/modules/firewalld-plan.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';

interface Host {
  mode: 'online' | 'offline' | 'none';
  zone?: string;
  /** The query's output and status in the permanent configuration (and the runtime one online). */
  perm?: [string, number];
  imm?: [string, number];
}

type Row = Partial<FirewalldArgs> & { state: FirewalldArgs['state'] };

function out(h: Host): string {
  let s = `@@mode ${h.mode}\n`;
  if (h.mode === 'none') return s;
  s += `@@zone ${h.zone ?? 'public'}\n`;
  if (h.perm) s += `@@perm\n${h.perm[0]}\n@@rc ${h.perm[1]}\n`;
  if (h.imm && h.mode === 'online') s += `@@imm\n${h.imm[0]}\n@@rc ${h.imm[1]}\n`;
  return s;
}

function planFor(row: Row, h: Host, check = false): Plan {
  const a = { immediate: false, timeout: 0, ...row } as FirewalldArgs;
  const stdout = out(h);
  return planFirewalld(a, parseFirewalld({ rc: 0, stdout, stderr: '', stdoutBytes: Buffer.from(stdout) }, a), { check, host: 'web1' });
}

const yes: [string, number] = ['yes', 0];
const no: [string, number] = ['no', 1];
const flip = (v: [string, number] | undefined): [string, number] | undefined => (v === undefined ? v : v[1] === 0 ? no : yes);

/** The host after the steps: each configuration a step wrote now answers the other way. */
function after(h: Host, plan: Plan): Host {
  const cmds = plan.steps.map((s) => (s.kind === 'exec' ? s.cmd : ''));
  const perm = cmds.some((c) => /firewall-cmd --permanent|firewall-offline-cmd/.test(c));
  const imm = cmds.some((c) => /firewall-cmd --zone/.test(c));
  return { ...h, perm: perm ? flip(h.perm) : h.perm, imm: imm ? flip(h.imm) : h.imm };
}

function converge(row: Row, h: Host): Plan {
  const plan = planFor(row, h);
  const again = planFor(row, after(h, plan));
  expect(again.steps, 'finished state plans nothing').toEqual([]);
  return plan;
}

const cmds = (plan: Plan) => plan.steps.map((s) => (s.kind === 'exec' ? /rp_o=\$\((.*) 2>&1\)/.exec(s.cmd)![1] : s.path));

describe('firewalld offline (firewall-offline-cmd, the on-disk configuration)', () => {
  it('adds a service to the default zone, with Ansible\'s messages', () => {
    const plan = converge({ service: 'http', permanent: true, state: 'enabled' }, { mode: 'offline', perm: no });
    expect(cmds(plan)).toEqual(["firewall-offline-cmd --zone=public --add-service=http"]);
    expect(plan.result?.msg).toBe('Permanent operation, Changed service http to enabled, (offline operation: only on-disk configs were altered)');
  });

  it('removes a service with the offline tool\'s zone option; unchanged says only the operation', () => {
    const plan = converge({ service: 'ssh', zone: 'dmz', permanent: true, state: 'disabled' }, { mode: 'offline', zone: 'dmz', perm: yes });
    expect(cmds(plan)).toEqual(["firewall-offline-cmd --zone=dmz --remove-service-from-zone=ssh"]);
    expect(planFor({ service: 'ssh', zone: 'dmz', permanent: true, state: 'disabled' }, { mode: 'offline', zone: 'dmz', perm: no }).result?.msg).toBe(
      'Permanent operation, (offline operation: only on-disk configs were altered)',
    );
  });

  it('ports, rich rules, ICMP blocks and port forwards use their own options', () => {
    expect(cmds(converge({ port: '8080/tcp', permanent: true, state: 'enabled' }, { mode: 'offline', perm: no }))).toEqual(["firewall-offline-cmd --zone=public --add-port=8080/tcp"]);
    const rule = 'rule family="ipv4" source address="10.0.0.0/8" service name="ssh" accept';
    expect(cmds(converge({ rich_rule: rule, permanent: true, state: 'enabled' }, { mode: 'offline', perm: no }))).toEqual([`firewall-offline-cmd --zone=public '--add-rich-rule=${rule}'`]);
    expect(cmds(converge({ icmp_block: 'echo-request', permanent: true, state: 'enabled' }, { mode: 'offline', perm: no }))).toEqual(["firewall-offline-cmd --zone=public --add-icmp-block=echo-request"]);
    const fwd = converge({ port_forward: [{ port: 80, proto: 'tcp', toport: 8080 }], permanent: true, state: 'enabled' }, { mode: 'offline', perm: no });
    expect(cmds(fwd)).toEqual(["firewall-offline-cmd --zone=public --add-forward-port=port=80:proto=tcp:toport=8080"]);
    expect(fwd.result?.msg).toContain('Changed port_forward port=80:proto=tcp:toport=8080:toaddr= to enabled');
  });

  it('source and interface: the transaction\'s own message; an interface moves with --change-interface', () => {
    expect(converge({ source: '10.1.0.0/16', zone: 'trusted', permanent: true, state: 'enabled' }, { mode: 'offline', zone: 'trusted', perm: no }).result?.msg).toBe(
      'Permanent operation, Added 10.1.0.0/16 to zone trusted, (offline operation: only on-disk configs were altered)',
    );
    const i = converge({ interface: 'eth1', zone: 'internal', permanent: true, state: 'enabled' }, { mode: 'offline', zone: 'internal', perm: no });
    expect(cmds(i)).toEqual(["firewall-offline-cmd --zone=internal --change-interface=eth1"]);
    expect(i.result?.msg).toContain('Changed eth1 to zone internal');
  });

  it('masquerade "no" with state enabled removes it (and a non-boolean value warns)', () => {
    const plan = converge({ masquerade: 'no', zone: 'external', permanent: true, state: 'enabled' }, { mode: 'offline', zone: 'external', perm: yes });
    expect(cmds(plan)).toEqual(["firewall-offline-cmd --zone=external --remove-masquerade"]);
    expect(plan.result?.msg).toContain('Removed masquerade from zone external');
    const odd = planFor({ masquerade: 'maybe', permanent: true, state: 'enabled' }, { mode: 'offline', perm: yes });
    expect(odd.result?.warnings).toEqual([expect.stringContaining('The value of the masquerade option is "maybe"')]);
  });

  it('zone target and the zone itself: permanent only, compared by --get-target / --get-zones', () => {
    const t = planFor({ target: 'DROP', zone: 'web', permanent: true, state: 'present' }, { mode: 'offline', zone: 'web', perm: ['default', 0] });
    expect(cmds(t)).toEqual(["firewall-offline-cmd --zone=web --set-target=DROP"]);
    expect(t.result?.msg).toContain('Set zone web target to DROP');
    // its finished state: the target it set
    expect(planFor({ target: 'DROP', zone: 'web', permanent: true, state: 'present' }, { mode: 'offline', zone: 'web', perm: ['DROP', 0] }).steps).toEqual([]);
    const z = planFor({ zone: 'web', permanent: true, state: 'present' }, { mode: 'offline', zone: 'web', perm: ['block dmz public', 0] });
    expect(cmds(z)).toEqual(["firewall-offline-cmd --new-zone=web"]);
    expect(z.result?.msg).toBe('Permanent operation, Added zone web, Changed zone web to present, (offline operation: only on-disk configs were altered)');
    expect(planFor({ zone: 'web', permanent: true, state: 'present' }, { mode: 'offline', zone: 'web', perm: ['block web public', 0] }).steps).toEqual([]);
    expect(cmds(planFor({ zone: 'web', permanent: true, state: 'absent' }, { mode: 'offline', zone: 'web', perm: ['block web', 0] }))).toEqual(["firewall-offline-cmd --delete-zone=web"]);
  });

  it('check mode: a change has no msg (Ansible exits early); no change keeps it', () => {
    expect(planFor({ service: 'http', permanent: true, state: 'enabled' }, { mode: 'offline', perm: no }, true).result?.msg).toBeUndefined();
    expect(planFor({ service: 'http', permanent: true, state: 'enabled' }, { mode: 'offline', perm: yes }, true).result?.msg).toContain('Permanent operation');
  });
});

describe('firewalld online (firewall-cmd; plan only: the daemon is not run here)', () => {
  it('without permanent or immediate, the runtime configuration alone (with --timeout)', () => {
    const plan = converge({ port: '443/tcp', state: 'enabled', timeout: 30 }, { mode: 'online', perm: no, imm: no });
    expect(cmds(plan)).toEqual(["firewall-cmd --zone=public --add-port=443/tcp --timeout=30s"]);
    expect(plan.result?.msg).toBe('Non-permanent operation, Changed port 443/tcp to enabled');
  });

  it('permanent and immediate: each configuration that differs', () => {
    const plan = converge({ service: 'https', permanent: true, immediate: true, state: 'enabled' }, { mode: 'online', perm: no, imm: yes });
    expect(cmds(plan)).toEqual(["firewall-cmd --permanent --zone=public --add-service=https"]);
    expect(plan.result?.msg).toBe('Permanent and Non-Permanent(immediate) operation, Changed service https to enabled');
    expect(cmds(converge({ service: 'https', permanent: true, immediate: true, state: 'disabled' }, { mode: 'online', perm: yes, imm: yes }))).toHaveLength(2);
  });
});

describe('firewalld failures, with Ansible\'s words', () => {
  const fails = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ModuleFailure);
      return (e as Error).message;
    }
    throw new Error('did not fail');
  };
  it('names the host when neither tool is installed', () => {
    expect(fails(() => planFor({ service: 'http', permanent: true, state: 'enabled' }, { mode: 'none' }))).toBe(
      'firewalld is not installed on web1: neither firewall-cmd nor firewall-offline-cmd was found (Debian and Red Hat package: firewalld)',
    );
  });
  it('refuses runtime changes without the daemon, and zone operations that are not permanent', () => {
    expect(fails(() => planFor({ service: 'http', state: 'enabled' }, { mode: 'offline', perm: no }))).toBe('firewall is not currently running, unable to perform immediate actions without a running firewall daemon');
    expect(fails(() => planFor({ target: 'DROP', zone: 'web', state: 'present' }, { mode: 'online', perm: ['default', 0], imm: ['default', 0] }))).toMatch(/^Zone operations must be permanent/);
  });
  it('checks the arguments first: port format, present/absent, required_by', () => {
    const prep = (a: Row) => fails(() => (firewalldModule.prepare as (x: unknown) => unknown)({ immediate: false, timeout: 0, ...a }));
    expect(prep({ port: '8080', state: 'enabled' })).toBe('improper port format (missing protocol?)');
    expect(prep({ service: 'http', state: 'present' })).toBe('absent and present state can only be used in zone level operations');
    expect(prep({ source: '10.0.0.0/8', state: 'enabled' })).toBe("missing parameter(s) required by 'source': permanent");
    expect(prep({ interface: 'eth0', state: 'enabled' })).toBe("missing parameter(s) required by 'interface': zone");
  });
  it('a query the tool rejects fails with its error', () => {
    expect(fails(() => planFor({ service: 'http', zone: 'nope', permanent: true, state: 'enabled' }, { mode: 'offline', zone: 'nope', perm: ['Error: INVALID_ZONE: nope', 112] }))).toBe('ERROR: Exception caught: INVALID_ZONE: nope');
  });
});

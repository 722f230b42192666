// The ufw module's pure half: Ansible's command lines word for word, and its verdicts on
// `changed` from `ufw status verbose`, the `### tuple` lines and the rule's dry run. Each
// row is judged once with the host before (a change) and once with the host as the
// command leaves it (the status after, the dry run's tuples written): no change.
import { describe, expect, it } from 'vitest';
import {
  commandLine,
  defaultChanged,
  insertPosition,
  loggingChanged,
  ruleWords,
  ruleWouldChange,
  stateChanged,
  ufwArgError,
  ufwVersion,
  type UfwArgs,
} from '../../src/modules/ufw-plan.js';

const INACTIVE = 'Status: inactive';
const active = (logging: string, policy: string) => `Status: active\nLogging: ${logging}\nDefault: ${policy}\nNew profiles: skip`;
const DEFAULTS = active('on (low)', 'deny (incoming), allow (outgoing), disabled (routed)');

/** What `ufw --dry-run RULE` prints: the v4 file with its tuples (v6 file omitted when IPV6=no). */
const dry = (...tuples: string[]) => `*filter\n:ufw-user-input - [0:0]\n### RULES ###\n\n${tuples.map((t) => `${t}\n-A ufw-user-input -j ACCEPT\n`).join('\n')}\n### END RULES ###\nCOMMIT\nRules updated\n`;

describe('ufw command lines (the `commands` Ansible returns)', () => {
  it('builds a rule in the long form, with from/to any, ports, proto and the comment', () => {
    const a: UfwArgs = { rule: 'allow', to_port: '22', proto: 'tcp', from_ip: '10.0.0.0/8', comment: 'ssh in' };
    expect(ruleWords(a, undefined, true)).toBe("allow from 10.0.0.0/8 to any port 22 proto tcp comment 'ssh in'");
    expect(ruleWords(a, undefined, false)).toBe('allow from 10.0.0.0/8 to any port 22 proto tcp');
  });

  it('route, delete, insert, direction, interfaces, log and app', () => {
    expect(ruleWords({ rule: 'deny', direction: 'in', interface: 'eth0', log: true, to_port: '80' }, undefined, true)).toBe('deny in on eth0 log from any to any port 80');
    expect(ruleWords({ rule: 'allow', route: true, interface_in: 'eth0', interface_out: 'eth1' }, undefined, true)).toBe('route allow in on eth0 out on eth1 from any to any');
    expect(ruleWords({ rule: 'limit', insert: 2, name: 'OpenSSH' }, 2, true)).toBe("insert 2 limit from any to any app 'OpenSSH'");
    // delete wins over insert, as in Ansible
    expect(ruleWords({ rule: 'allow', delete: true, insert: 2, to_port: '22' }, 2, true)).toBe('delete allow from any to any port 22');
  });

  it('state, logging and default lines, with --dry-run in check mode', () => {
    expect(commandLine('/usr/sbin/ufw', 'state', { state: 'enabled' }, false)).toBe('/usr/sbin/ufw -f enable');
    expect(commandLine('/usr/sbin/ufw', 'state', { state: 'reloaded' }, true)).toBe('/usr/sbin/ufw --dry-run -f reload');
    expect(commandLine('/usr/sbin/ufw', 'logging', { logging: 'medium' }, false)).toBe('/usr/sbin/ufw logging medium');
    expect(commandLine('/usr/sbin/ufw', 'default', { default: 'deny' }, false)).toBe('/usr/sbin/ufw default deny');
    expect(commandLine('/usr/sbin/ufw', 'default', { default: 'allow', direction: 'routed' }, false)).toBe('/usr/sbin/ufw default allow routed');
  });

  it('reads the version for comment support as Ansible\'s greedy pattern does', () => {
    // `^ufw.+(\d+)\.(\d+)` takes the last two numbers of 0.36.2: still "comment supported"
    expect(ufwVersion('ufw 0.36.2\nCopyright 2008-2023 Canonical Ltd.\n')).toEqual([6, 2]);
    expect(ufwVersion('ufw 0.34\n')).toEqual([0, 34]);
    expect(ufwVersion('nonsense')).toBeUndefined();
  });

  it('places insert relative to the numbered rules, appending past the end', () => {
    const numbered = 'Status: active\n\n     To   Action  From\n[ 1] 22/tcp ALLOW IN Anywhere\n[ 2] 80 ALLOW IN Anywhere\n[ 3] 22/tcp (v6) ALLOW IN Anywhere (v6)\n';
    expect(insertPosition({ rule: 'allow', insert: 0, insert_relative_to: 'first-ipv6' }, numbered)).toBe(3);
    expect(insertPosition({ rule: 'allow', insert: 0, insert_relative_to: 'last-ipv4' }, numbered)).toBe(2);
    expect(insertPosition({ rule: 'allow', insert: 1, insert_relative_to: 'last-ipv6' }, numbered)).toBeUndefined();
  });
});

describe('ufw verdicts: a change before, none in the finished state', () => {
  it('a new rule changes the tuples; written, the dry run shows the same tuples', () => {
    const a: UfwArgs = { rule: 'allow', to_port: '22', proto: 'tcp' };
    const tuple = '### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in';
    expect(ruleWouldChange(a, '', dry(tuple))).toBe(true);
    expect(ruleWouldChange(a, `${tuple}\n`, dry(tuple))).toBe(false);
  });

  it('"Skipping" on every line means nothing to do', () => {
    expect(ruleWouldChange({ rule: 'allow', to_port: '22' }, '', 'Skipping adding existing rule\nSkipping adding existing rule (v6)\n')).toBe(false);
  });

  it('an IPv4 address compares the IPv4 tuples only', () => {
    const a: UfwArgs = { rule: 'allow', from_ip: '192.168.1.0/24' };
    const v4 = '### tuple ### allow any any 0.0.0.0/0 any 192.168.1.0/24 in';
    const v6 = '### tuple ### allow any 22 ::/0 any ::/0 in';
    expect(ruleWouldChange(a, `${v6}\n`, dry(v4))).toBe(true);
    expect(ruleWouldChange(a, `${v4}\n${v6}\n`, dry(v4))).toBe(false);
  });

  it('state: enabled changes an inactive ufw, not an active one; reloaded and reset always', () => {
    expect(stateChanged('enabled', INACTIVE)).toBe(true);
    expect(stateChanged('enabled', DEFAULTS)).toBe(false);
    expect(stateChanged('disabled', DEFAULTS)).toBe(true);
    expect(stateChanged('disabled', INACTIVE)).toBe(false);
    expect(stateChanged('reloaded', DEFAULTS)).toBe(true);
    expect(stateChanged('reset', INACTIVE)).toBe(true);
  });

  it('logging: level and on/off from the status; an inactive ufw shows none, so always a change', () => {
    expect(loggingChanged('medium', DEFAULTS)).toBe(true);
    expect(loggingChanged('medium', active('on (medium)', 'deny (incoming), allow (outgoing), disabled (routed)'))).toBe(false);
    expect(loggingChanged('on', DEFAULTS)).toBe(false);
    expect(loggingChanged('off', DEFAULTS)).toBe(true);
    expect(loggingChanged('off', active('off', 'deny (incoming), allow (outgoing), disabled (routed)'))).toBe(false);
    expect(loggingChanged('low', INACTIVE)).toBe(true);
  });

  it('default: the direction\'s policy; check mode takes a disabled routed policy for no change, the apply does not', () => {
    expect(defaultChanged({ default: 'deny', direction: 'outgoing' }, DEFAULTS)).toBe(true);
    expect(defaultChanged({ default: 'deny', direction: 'outgoing' }, active('on (low)', 'deny (incoming), deny (outgoing), disabled (routed)'))).toBe(false);
    expect(defaultChanged({ default: 'deny' }, DEFAULTS)).toBe(false);
    expect(defaultChanged({ default: 'allow', direction: 'routed' }, DEFAULTS)).toBe(false);
    expect(defaultChanged({ default: 'allow', direction: 'routed' }, DEFAULTS, true)).toBe(true);
    expect(defaultChanged({ default: 'allow', direction: 'routed' }, active('on (low)', 'deny (incoming), allow (outgoing), allow (routed)'), true)).toBe(false);
    expect(defaultChanged({ default: 'deny' }, INACTIVE)).toBe(true);
  });
});

describe('ufw argument checks, with Ansible\'s words', () => {
  it('rejects what its argument spec and main() reject', () => {
    expect(ufwArgError({})).toBe('one of the following is required: state, default, rule, logging');
    expect(ufwArgError({ rule: 'allow', interface: 'eth0' })).toBe("missing parameter(s) required by 'interface': direction");
    expect(ufwArgError({ default: 'deny', direction: 'in' })).toMatch(/^For default, direction must be one of "outgoing", "incoming" and "routed"/);
    expect(ufwArgError({ rule: 'allow', direction: 'routed' })).toMatch(/^For rules, direction must be one of "in" and "out"/);
    expect(ufwArgError({ rule: 'allow', interface_in: 'a', interface_out: 'b' })).toBe('Only route rules can combine interface_in and interface_out');
    expect(ufwArgError({ rule: 'allow', route: true, interface_in: 'a', interface_out: 'b' })).toBeUndefined();
  });
});

// The user and group modules' pure halves: each row's facts go through the real parser
// (probe output built as the probe prints it), the plan is checked, and the same row
// planned again with the facts of its finished state must plan nothing.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseGroupLine, parseGroupLines, parsePasswdLine, parseShadowSummary } from '../../src/facts/parsers/user-db.js';
import { getentTree } from '../../src/modules/getent.js';
import { planGroup, type GroupArgs } from '../../src/modules/group.js';
import { accountProbe, parseAccountProbe, passwordDigest, type AccountProbeSpec } from '../../src/modules/user-facts.js';
import { passwordWarning, planUser, type UserArgs } from '../../src/modules/user-plan.js';
import { ModuleFailure, type Step } from '../../src/modules/types.js';
import { have, out, sec } from './system-test-helpers.js';

const HASH = '$6$abcdefgh$Qv0b2kM6bVAxsQAIC0C6LHXoi0Rs0.0GQ6lwQGYf0UbyQzBRpoAxkZRBiYHkF4bzPx4qhvr1vj1DWhQjPMaS8/';
const OTHER = '$6$zyxwvuts$Qv0b2kM6bVAxsQAIC0C6LHXoi0Rs0.0GQ6lwQGYf0UbyQzBRpoAxkZRBiYHkF4bzPx4qhvr1vj1DWhQjPMaS8/';
const BASE_GROUPS = ['root:x:0:', 'staff:x:50:', 'users:x:100:', 'devs:x:1001:', 'ops:x:1002:'];

interface Host {
  passwd?: string;
  /** Shadow field and day fields: [password, min, max, expire]. */
  shadow?: [string, string, string, string];
  groups?: string[];
  homeCurrent?: boolean;
  homeWanted?: boolean;
  homeParent?: boolean;
  append?: boolean;
}

function shadowText([pw, min, max, expire]: [string, string, string, string]): string {
  return [`entry yes`, ...(pw.startsWith('!') ? ['locked yes'] : []), `length ${pw.length}`, `digest ${passwordDigest(pw)}  -`, `min ${min}`, `max ${max}`, `expire ${expire}`].join('\n');
}

/** Probe output for a host, and its facts through parseAccountProbe. */
function factsOf(h: Host, spec: AccountProbeSpec) {
  const groups = h.groups ?? BASE_GROUPS;
  const flags = {
    useradd: true,
    usermod: true,
    chpasswd: true,
    md5sum: true,
    'usermod-append': h.append ?? true,
    'home-current': h.homeCurrent ?? true,
    'home-wanted': h.homeWanted ?? false,
    'home-parent': h.homeParent ?? true,
  };
  const parts = [have(flags)];
  if (spec.user !== undefined) {
    parts.push(h.passwd ? sec('passwd', h.passwd) : sec('passwd', '', 2), sec('shadow', h.shadow ? shadowText(h.shadow) : ''));
  }
  parts.push(sec('groups', groups.join('\n')));
  spec.groups.forEach((g, i) => {
    const found = groups.find((l) => l.startsWith(`${g}:`) || l.split(':')[2] === g);
    parts.push(found ? sec(`lookup${i}`, found) : sec(`lookup${i}`, '', 2));
  });
  return parseAccountProbe(out(...parts), spec);
}

function userSpec(a: UserArgs): AccountProbeSpec {
  return { user: a.name, groups: [...(a.group ? [a.group] : []), ...(a.groups ?? [])], home: a.home };
}

const cmdsOf = (steps: Step[]) => steps.map((s) => (s.kind === 'exec' ? s.cmd.replace(/^PATH=\S+; export PATH && /, '') : `put ${s.path}`));

interface UserCase {
  name: string;
  args: UserArgs;
  before: Host;
  cmds: (string | RegExp)[];
  /** A command's stdin (chpasswd). */
  stdin?: string;
  after?: Host;
}

const alice = (extra = '', shell = '/bin/bash', uid = 1000, gid = 1000, home = '/home/alice') => `alice:x:${uid}:${gid}:${extra}:${home}:${shell}`;
const SH: [string, string, string, string] = [HASH, '0', '99999', ''];

const userCases: UserCase[] = [
  { name: 'create with defaults', args: { name: 'alice' }, before: {}, cmds: ["useradd -m alice"], after: { passwd: alice(), shadow: ['!', '0', '99999', ''] } },
  {
    name: 'create next to a group of the same name (-N)',
    args: { name: 'devs' },
    before: {},
    cmds: ["useradd -N -m devs"],
    after: { passwd: 'devs:x:1000:100::/home/devs:/bin/sh', shadow: ['!', '0', '99999', ''] },
  },
  {
    name: 'create with uid, group, groups, comment, shell, password',
    args: { name: 'alice', uid: 1500, group: 'users', groups: ['devs', 'ops'], comment: 'Alice', shell: '/bin/sh', password: HASH, system: false },
    before: {},
    cmds: ["useradd -u 1500 -g users -G devs,ops -c Alice -s /bin/sh -m alice", 'chpasswd -e'],
    stdin: `alice:${HASH}\n`,
    after: { passwd: alice('Alice', '/bin/sh', 1500, 100), shadow: SH, groups: [...BASE_GROUPS.slice(0, 3), 'devs:x:1001:alice', 'ops:x:1002:bob,alice'] },
  },
  {
    name: 'create a system user without a home, its parent missing',
    args: { name: 'svc', system: true, create_home: false, home: '/srv/svc/home' },
    before: { homeParent: false },
    cmds: ["useradd -d /srv/svc/home -M -r svc"],
    after: { passwd: 'svc:x:999:999::/srv/svc/home:/bin/sh', shadow: ['!', '', '', ''], homeCurrent: false },
  },
  {
    name: 'create with a home whose parent is missing',
    args: { name: 'alice', home: '/data/users/alice' },
    before: { homeParent: false },
    cmds: ['mkdir -p "$(dirname /data/users/alice)"', "useradd -d /data/users/alice -m alice"],
    after: { passwd: alice('', '/bin/bash', 1000, 1000, '/data/users/alice'), shadow: SH, homeWanted: true },
  },
  {
    name: 'shell changes, groups appended',
    args: { name: 'alice', shell: '/bin/sh', groups: ['staff'], append: true },
    before: { passwd: alice(), shadow: SH, groups: ['staff:x:50:', 'devs:x:1001:alice'] },
    cmds: ["usermod -a -G staff -s /bin/sh alice"],
    after: { passwd: alice('', '/bin/sh'), shadow: SH, groups: ['staff:x:50:alice', 'devs:x:1001:alice'] },
  },
  {
    name: 'groups replaced',
    args: { name: 'alice', groups: ['devs'] },
    before: { passwd: alice(), shadow: SH, groups: ['staff:x:50:alice', 'devs:x:1001:bob,alice'] },
    cmds: ["usermod -G devs alice"],
    after: { passwd: alice(), shadow: SH, groups: ['staff:x:50:', 'devs:x:1001:bob,alice'] },
  },
  {
    name: 'groups emptied',
    args: { name: 'alice', groups: [] },
    before: { passwd: alice(), shadow: SH, groups: ['staff:x:50:alice'] },
    cmds: ["usermod -G '' alice"],
    after: { passwd: alice(), shadow: SH, groups: ['staff:x:50:'] },
  },
  {
    name: 'append without --append support uses -A',
    args: { name: 'alice', groups: ['staff'], append: true },
    before: { passwd: alice(), shadow: SH, groups: ['staff:x:50:'], append: false },
    cmds: ["usermod -A staff alice"],
    after: { passwd: alice(), shadow: SH, groups: ['staff:x:50:alice'], append: false },
  },
  {
    name: 'primary group by name, uid non-unique, comment, home moved',
    args: { name: 'alice', group: 'users', uid: 0, non_unique: true, comment: 'A', home: '/srv/alice', move_home: true },
    before: { passwd: alice(), shadow: SH },
    cmds: ["usermod -u 0 -o -g 100 -c A -d /srv/alice -m alice"],
    after: { passwd: alice('A', '/bin/bash', 0, 100, '/srv/alice'), shadow: SH },
  },
  { name: 'locked', args: { name: 'alice', password_lock: true }, before: { passwd: alice(), shadow: SH }, cmds: ["usermod -L alice"], after: { passwd: alice(), shadow: [`!${HASH}`, '0', '99999', ''] } },
  { name: 'unlocked', args: { name: 'alice', password_lock: false }, before: { passwd: alice(), shadow: [`!${HASH}`, '0', '99999', ''] }, cmds: ["usermod -U alice"], after: { passwd: alice(), shadow: SH } },
  {
    name: 'new password, locked in the same step',
    args: { name: 'alice', password: OTHER, password_lock: true },
    before: { passwd: alice(), shadow: SH },
    cmds: ['chpasswd -e'],
    stdin: `alice:!${OTHER}\n`,
    after: { passwd: alice(), shadow: [`!${OTHER}`, '0', '99999', ''] },
  },
  { name: 'password kept with update_password on_create', args: { name: 'alice', password: OTHER, update_password: 'on_create' }, before: { passwd: alice(), shadow: SH }, cmds: [] },
  { name: 'same password, locked account: no change', args: { name: 'alice', password: HASH }, before: { passwd: alice(), shadow: [`!${HASH}`, '0', '99999', ''] }, cmds: [] },
  {
    name: 'expiry date set',
    args: { name: 'alice', expires: 1893456000 },
    before: { passwd: alice(), shadow: SH },
    cmds: ["usermod -e 2030-01-01 alice"],
    after: { passwd: alice(), shadow: [HASH, '0', '99999', '21915'] },
  },
  { name: 'expiry removed', args: { name: 'alice', expires: -1 }, before: { passwd: alice(), shadow: [HASH, '0', '99999', '21915'] }, cmds: ["usermod -e '' alice"], after: { passwd: alice(), shadow: SH } },
  {
    name: 'password ages',
    args: { name: 'alice', password_expire_min: 5, password_expire_max: 90 },
    before: { passwd: alice(), shadow: SH },
    cmds: ["chage -m 5 -M 90 alice"],
    after: { passwd: alice(), shadow: [HASH, '5', '90', ''] },
  },
  { name: 'missing home made', args: { name: 'alice' }, before: { passwd: alice(), shadow: SH, homeCurrent: false }, cmds: [/cp -RP \/etc\/skel \/home\/alice.*chown -R/s], after: { passwd: alice(), shadow: SH } },
  { name: 'removed with its home', args: { name: 'alice', state: 'absent', remove: true, force: true }, before: { passwd: alice(), shadow: SH }, cmds: ["userdel -f -r alice"], after: {} },
  { name: 'absent stays absent', args: { name: 'alice', state: 'absent' }, before: {}, cmds: [] },
];

describe('user plan', () => {
  for (const c of userCases) {
    it(c.name, () => {
      const spec = userSpec(c.args);
      const plan = planUser(c.args, factsOf(c.before, spec), { check: false });
      const got = cmdsOf(plan.steps);
      expect(got.length).toBe(c.cmds.length);
      c.cmds.forEach((want, i) => (typeof want === 'string' ? expect(got[i]).toBe(want) : expect(got[i]).toMatch(want)));
      expect(plan.changed).toBe(c.cmds.length > 0);
      if (c.stdin !== undefined) expect(plan.steps.find((s) => s.kind === 'exec' && s.stdin !== undefined)).toMatchObject({ stdin: c.stdin });
      // a hash is a secret: never on a command line
      for (const s of plan.steps) if (s.kind === 'exec') expect(s.cmd).not.toContain('$6$');
      if (c.after) {
        const again = planUser(c.args, factsOf(c.after, spec), { check: false });
        expect(cmdsOf(again.steps)).toEqual([]);
        expect(again.changed).toBe(false);
      }
    });
  }

  it('check mode: a create or a removal reports changed alone, a change runs nothing', () => {
    const spec = userSpec({ name: 'alice' });
    expect(planUser({ name: 'alice' }, factsOf({}, spec), { check: true })).toMatchObject({ bare: true, changed: true, steps: [] });
    expect(planUser({ name: 'alice', state: 'absent' }, factsOf({ passwd: alice(), shadow: SH }, spec), { check: true })).toMatchObject({ bare: true, changed: true, steps: [] });
    const missingHome = planUser({ name: 'alice' }, factsOf({ passwd: alice(), shadow: SH, homeCurrent: false }, spec), { check: true });
    expect(missingHome).toMatchObject({ changed: true, steps: [] });
  });

  it('results carry Ansible fields: append/move_home on change, system/create_home on create, no password', () => {
    const spec = userSpec({ name: 'alice', password: HASH });
    const create = planUser({ name: 'alice', password: HASH }, factsOf({}, spec), { check: false });
    expect(create.result).toEqual({ name: 'alice', state: 'present', system: false, create_home: true, password: 'NOT_LOGGING_PASSWORD' });
    const modify = planUser({ name: 'alice', shell: '/bin/sh' }, factsOf({ passwd: alice(), shadow: SH }, userSpec({ name: 'alice' })), { check: false });
    expect(modify.result).toEqual({ name: 'alice', state: 'present', append: false, move_home: false });
    const removal = planUser({ name: 'alice', state: 'absent' }, factsOf({ passwd: alice() }, userSpec({ name: 'alice' })), { check: false });
    expect(removal.result).toEqual({ name: 'alice', state: 'absent', force: false, remove: false });
  });

  it("fails with Ansible's message for a group that does not exist", () => {
    const args = { name: 'alice', groups: ['devs', 'nope'] };
    expect(() => planUser(args, factsOf({}, userSpec(args)), { check: false })).toThrow(new ModuleFailure('Group nope does not exist'));
    const primary = { name: 'alice', group: 'nope' };
    expect(() => planUser(primary, factsOf({ passwd: alice() }, userSpec(primary)), { check: false })).toThrow('Group nope does not exist');
  });

  it("warns as Ansible does about unhashed passwords and 'append' without groups", () => {
    expect(passwordWarning('secret')).toMatch(/appears not to have been hashed/);
    expect(passwordWarning(HASH)).toBeUndefined();
    expect(passwordWarning('$6$salt$short')).toMatch(/not to have been hashed/);
    expect(passwordWarning('!')).toBeUndefined();
    const plan = planUser({ name: 'alice', append: true }, factsOf({ passwd: alice(), shadow: SH }, userSpec({ name: 'alice' })), { check: false });
    expect(plan.warnings).toEqual(["'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups.This will change to an error in Ansible 2.14."]);
  });
});

interface GroupCase {
  name: string;
  args: GroupArgs;
  before: string[];
  cmds: string[];
  after?: string[];
}

const groupCases: GroupCase[] = [
  { name: 'created', args: { name: 'web' }, before: BASE_GROUPS, cmds: ["groupadd web"], after: [...BASE_GROUPS, 'web:x:1003:'] },
  { name: 'created with gid, non-unique, system', args: { name: 'web', gid: 1001, non_unique: true, system: true }, before: BASE_GROUPS, cmds: ["groupadd -g 1001 -o -r web"], after: [...BASE_GROUPS, 'web:x:1001:'] },
  { name: 'gid changed', args: { name: 'devs', gid: 1600 }, before: BASE_GROUPS, cmds: ["groupmod -g 1600 devs"], after: ['devs:x:1600:'] },
  { name: 'present, no gid asked', args: { name: 'devs' }, before: BASE_GROUPS, cmds: [] },
  { name: 'removed', args: { name: 'devs', state: 'absent' }, before: BASE_GROUPS, cmds: ["groupdel devs"], after: ['staff:x:50:'] },
  { name: 'a gid-named group is not its gid', args: { name: '50', state: 'absent' }, before: BASE_GROUPS, cmds: [] },
];

describe('group plan', () => {
  for (const c of groupCases) {
    it(c.name, () => {
      const spec = { groups: [c.args.name] };
      const plan = planGroup(c.args, factsOf({ groups: c.before }, spec), { check: false });
      expect(cmdsOf(plan.steps)).toEqual(c.cmds);
      expect(plan.changed).toBe(c.cmds.length > 0);
      if (c.after) expect(planGroup(c.args, factsOf({ groups: c.after }, spec), { check: false })).toEqual({ steps: [], changed: false });
    });
  }

  it('check mode runs nothing: create and removal report changed alone, a gid change reports changed', () => {
    const f = factsOf({}, { groups: ['web'] });
    expect(planGroup({ name: 'web' }, f, { check: true })).toEqual({ steps: [], changed: true, bare: true });
    const devs = factsOf({}, { groups: ['devs'] });
    expect(planGroup({ name: 'devs', gid: 7 }, devs, { check: true })).toEqual({ steps: [], changed: true });
    expect(planGroup({ name: 'devs', state: 'absent' }, devs, { check: true })).toEqual({ steps: [], changed: true, bare: true });
  });
});

describe('account database parsers', () => {
  it('reads passwd lines as getent prints them', () => {
    expect(parsePasswdLine('root:x:0:0:root:/root:/bin/bash')).toEqual({ name: 'root', passwd: 'x', uid: 0, gid: 0, gecos: 'root', home: '/root', shell: '/bin/bash' });
    expect(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin')?.uid).toBe(65534);
    expect(parsePasswdLine('alice:x:1000:1000:Alice Smith,Room 1,,:/home/alice:/bin/bash')?.gecos).toBe('Alice Smith,Room 1,,');
    expect(parsePasswdLine('sshd:x:100:65534::/run/sshd:/usr/sbin/nologin')).toMatchObject({ gecos: '', home: '/run/sshd' });
    expect(parsePasswdLine('broken:x:abc:0::/:/bin/sh')).toBeUndefined();
    expect(parsePasswdLine('')).toBeUndefined();
  });

  it('reads group lines with and without members', () => {
    expect(parseGroupLine('sudo:x:27:alice,bob')).toEqual({ name: 'sudo', gid: 27, members: ['alice', 'bob'] });
    expect(parseGroupLine('users:x:100:')).toEqual({ name: 'users', gid: 100, members: [] });
    expect(parseGroupLines('root:x:0:\nbad\nstaff:x:50:alice\n').map((g) => g.name)).toEqual(['root', 'staff']);
  });

  it('reads the shadow summary; empty day fields are -1 as in spwd', () => {
    expect(parseShadowSummary(`entry yes\nlocked yes\nlength 99\ndigest ${'a'.repeat(32)}  -\nmin 0\nmax 99999\nexpire `)).toEqual({
      locked: true,
      length: 99,
      digest: 'a'.repeat(32),
      expire: -1,
      min: 0,
      max: 99999,
    });
    expect(parseShadowSummary('')).toBeUndefined();
  });

  it("reads this machine's own root account through the real probe (read-only)", () => {
    const spec = { user: 'root', groups: ['root', '0', 'no-such-group-rackplay'] };
    const stdout = execFileSync('/bin/sh', ['-c', accountProbe(spec)], { encoding: 'utf8' });
    const facts = parseAccountProbe({ rc: 0, stdout, stderr: '', stdoutBytes: Buffer.from(stdout) }, spec);
    expect(facts.user).toMatchObject({ name: 'root', uid: 0, gid: 0 });
    expect(facts.lookups.root).toMatchObject({ gid: 0 });
    expect(facts.lookups['0']).toMatchObject({ name: 'root' });
    expect(facts.lookups['no-such-group-rackplay']).toBeNull();
    expect(facts.groups.some((g) => g.name === 'root' && g.gid === 0)).toBe(true);
    expect(facts.have.useradd).toBe(true);
    // the summary, never the hash: a 32-digit digest when root can read the shadow file
    if (process.getuid?.() === 0) {
      expect(facts.shadow?.digest).toMatch(/^[0-9a-f]{32}$/);
      expect(stdout).not.toMatch(/\$[156y]\$/);
    }
  });
});

describe('getent facts', () => {
  it("files lines as Ansible's getent module: colon databases split on ':', others on whitespace, repeats as lists", () => {
    expect(getentTree('root:x:0:0:root:/root:/bin/bash\n', ':')).toEqual({ root: ['x', '0', '0', 'root', '/root', '/bin/bash'] });
    expect(getentTree('127.0.0.1       localhost\n127.0.0.1 other  alias\n::1 localhost ip6-localhost\n', undefined)).toEqual({
      '127.0.0.1': [['localhost'], ['other', 'alias']],
      '::1': ['localhost', 'ip6-localhost'],
    });
  });
});

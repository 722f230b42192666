// The user module's pure half: from the arguments and the account facts, the commands
// Ansible's Linux code path (useradd/usermod/userdel, chage) would run, as steps. One
// difference on purpose: a password hash never goes into a command line (`useradd -p`,
// `usermod -p` put it where every user can read /proc/*/cmdline); it goes to `chpasswd -e`
// on stdin instead, right after the useradd/usermod that Ansible would have given it to.
import { quote } from '../transport/quote.js';
import { SBIN_PATH } from '../facts/system-probe.js';
import type { GroupEntry } from '../facts/parsers/user-db.js';
import { passwordDigest, type AccountFacts } from './user-facts.js';
import { ModuleFailure, type PlanContext, type Step } from './types.js';

export interface UserArgs {
  state?: 'present' | 'absent';
  name: string;
  uid?: number;
  non_unique?: boolean;
  group?: string;
  groups?: string[];
  comment?: string;
  home?: string;
  shell?: string;
  password?: string;
  password_expire_max?: number;
  password_expire_min?: number;
  seuser?: string;
  force?: boolean;
  remove?: boolean;
  create_home?: boolean;
  skeleton?: string;
  system?: boolean;
  move_home?: boolean;
  append?: boolean;
  update_password?: 'always' | 'on_create';
  expires?: number;
  password_lock?: boolean;
  umask?: string;
}

export interface UserPlan {
  steps: Step[];
  /** Changed without steps: a check-mode run that stops before any command, as Ansible's does. */
  changed: boolean;
  result: Record<string, unknown>;
  warnings: string[];
  /** Check mode on a create or a removal: Ansible returns `changed` alone. */
  bare?: boolean;
}

const NOT_LOGGING = 'NOT_LOGGING_PASSWORD';
const HASH_CHARS = /[^a-zA-Z0-9./=]/;

/** Ansible's check_password_encrypted: a warning when the value does not look like a crypt hash. */
export function passwordWarning(password: string | undefined): string | undefined {
  if (!password || ['*', '!', '*************'].includes(password)) return undefined;
  let suspicious = /[:*!]/.test(password) || !password.includes('$');
  if (!suspicious) {
    const fields = password.split('$');
    const last = fields.at(-1)!;
    const want: Record<string, number> = { '1': 22, '5': 43, '6': 86 };
    if (fields.length < 3 || HASH_CHARS.test(last) || (want[fields[1]] !== undefined && last.length !== want[fields[1]])) suspicious = true;
  }
  return suspicious ? "The input password appears not to have been hashed. The 'password' argument must be encrypted for this module to work properly." : undefined;
}

/** The group a `group:`/`groups:` value names: a gid first, then a name, as Ansible's group_info. */
export function findGroup(value: string, facts: AccountFacts): GroupEntry | undefined {
  const looked = facts.lookups[value];
  if (looked) return looked;
  if (/^\s*-?\d+\s*$/.test(value)) {
    const byGid = facts.groups.find((g) => g.gid === Number(value));
    if (byGid) return byGid;
  }
  return facts.groups.find((g) => g.name === value);
}

function requireGroup(value: string, facts: AccountFacts): GroupEntry {
  const g = findGroup(value, facts);
  if (!g) throw new ModuleFailure(`Group ${value} does not exist`);
  return g;
}

/** Ansible's `','.join(groups)` split again: the names, trimmed, without empties or repeats. */
function groupNames(groups: string[]): string[] {
  return [...new Set(groups.join(',').split(',').map((g) => g.trim()).filter((g) => g !== ''))];
}

function expiresDate(expires: number): string {
  return new Date(Math.floor(expires) * 1000).toISOString().slice(0, 10);
}

function cmd(tool: string, words: string[]): string {
  return `${SBIN_PATH} && ${tool} ${words.map(quote).join(' ')}`;
}

function passwordStep(name: string, hash: string): Step {
  return { kind: 'exec', cmd: `${SBIN_PATH} && chpasswd -e`, stdin: `${name}:${hash}\n` };
}

/**
 * Ansible's create_homedir and chown_homedir: the skeleton (or an empty directory), its mode
 * from login.defs' UMASK, everything owned by the user.
 */
export function homedirStep(name: string, home: string, skeleton: string | undefined): Step {
  const h = quote(home);
  const owner = `"$(id -u ${quote(name)}):$(id -g ${quote(name)})"`;
  return {
    kind: 'exec',
    cmd: [
      `if [ -d ${quote(skeleton ?? '/etc/skel')} ]; then mkdir -p "$(dirname ${h})" && cp -RP ${quote(skeleton ?? '/etc/skel')} ${h}; else mkdir -p ${h}; fi`,
      `um=$(sed -n 's/^UMASK[[:space:]][[:space:]]*\\([0-9][0-9]*\\)$/\\1/p' /etc/login.defs 2>/dev/null | tail -n 1)`,
      `if [ -n "$um" ]; then chmod "$(printf '%o' $(( 0777 & ~0$um )))" ${h}; fi`,
      `chown -R ${owner} ${h}`,
    ].join('\n'),
  };
}

function chageWords(args: UserArgs, facts: AccountFacts, creating: boolean): string[] {
  const words: string[] = [];
  const sh = facts.shadow;
  // Ansible reads the entry after useradd made it; without one it changes nothing
  if (!creating && !sh) return words;
  if (args.password_expire_min !== undefined && (creating || args.password_expire_min !== sh!.min)) words.push('-m', String(args.password_expire_min));
  if (args.password_expire_max !== undefined && (creating || args.password_expire_max !== sh!.max)) words.push('-M', String(args.password_expire_max));
  return words;
}

function planCreate(args: UserArgs, facts: AccountFacts, ctx: Pick<PlanContext, 'check'>): UserPlan {
  const warnings: string[] = [];
  if (ctx.check) return { steps: [], changed: true, result: {}, warnings, bare: true };
  const w: string[] = [];
  const steps: Step[] = [];
  if (args.uid !== undefined) w.push('-u', String(args.uid), ...(args.non_unique ? ['-o'] : []));
  if (args.seuser !== undefined) w.push('-Z', args.seuser);
  if (args.group !== undefined) {
    requireGroup(args.group, facts);
    w.push('-g', args.group);
  } else if (findGroup(args.name, facts)) {
    // a group named like the user exists: useradd must not try to make one (USERGROUPS_ENAB)
    if (facts.redhatMajor === undefined || facts.redhatMajor > 5) w.push('-N');
    else w.push('-n');
  }
  if (args.groups !== undefined) {
    const names = groupNames(args.groups);
    for (const g of names) requireGroup(g, facts);
    if (names.length) w.push('-G', names.join(','));
  }
  if (args.comment !== undefined) w.push('-c', args.comment);
  if (args.home !== undefined) {
    if (args.create_home !== false && facts.have['home-parent'] === false) {
      // useradd -m makes the home but not its parents
      steps.push({ kind: 'exec', cmd: `mkdir -p "$(dirname ${quote(args.home)})"` });
    }
    w.push('-d', args.home);
  }
  if (args.shell !== undefined) w.push('-s', args.shell);
  if (args.expires !== undefined) w.push('-e', args.expires < 0 ? '' : expiresDate(args.expires));
  if (args.create_home !== false) {
    w.push('-m');
    if (args.skeleton !== undefined) w.push('-k', args.skeleton);
    if (args.umask !== undefined) w.push('-K', `UMASK=${args.umask}`);
  } else w.push('-M');
  if (args.system) w.push('-r');
  steps.push({ kind: 'exec', cmd: cmd('useradd', [...w, args.name]) });
  if (args.password !== undefined) steps.push(passwordStep(args.name, args.password_lock ? `!${args.password}` : args.password));
  const chage = chageWords(args, facts, true);
  if (chage.length) steps.push({ kind: 'exec', cmd: cmd('chage', [...chage, args.name]) });
  const result: Record<string, unknown> = { system: args.system ?? false, create_home: args.create_home ?? true };
  return { steps, changed: true, result, warnings };
}

function groupsWords(args: UserArgs, facts: AccountFacts): string[] {
  if (args.groups === undefined) return [];
  const user = facts.user!;
  const current = facts.groups.filter((g) => g.members.includes(user.name)).map((g) => g.name);
  const wanted = groupNames(args.groups);
  if (!wanted.length) return current.length && !args.append ? ['-G', ''] : [];
  for (const g of wanted) requireGroup(g, facts);
  const diff = [...current.filter((g) => !wanted.includes(g)), ...wanted.filter((g) => !current.includes(g))];
  if (!diff.length) return [];
  if (args.append) {
    if (!wanted.some((g) => diff.includes(g))) return [];
    return facts.have['usermod-append'] === false ? ['-A', diff.join(',')] : ['-a', '-G', wanted.join(',')];
  }
  return ['-G', wanted.join(',')];
}

function expiresWords(args: UserArgs, facts: AccountFacts): string[] {
  if (args.expires === undefined) return [];
  const current = facts.shadow?.expire ?? -1;
  if (args.expires < 0) return current >= 0 ? ['-e', ''] : [];
  const want = expiresDate(args.expires);
  if (current < 0 || new Date(current * 86400 * 1000).toISOString().slice(0, 10) !== want) return ['-e', want];
  return [];
}

function planModify(args: UserArgs, facts: AccountFacts, ctx: Pick<PlanContext, 'check'>): UserPlan {
  const user = facts.user!;
  const warnings: string[] = [];
  const w: string[] = [];
  if (args.uid !== undefined && user.uid !== args.uid) w.push('-u', String(args.uid), ...(args.non_unique ? ['-o'] : []));
  if (args.group !== undefined) {
    const g = requireGroup(args.group, facts);
    if (user.gid !== g.gid) w.push('-g', String(g.gid));
  }
  w.push(...groupsWords(args, facts));
  if (args.comment !== undefined && user.gecos !== args.comment) w.push('-c', args.comment);
  const homeChanges = args.home !== undefined && user.home !== args.home;
  if (homeChanges) w.push('-d', args.home!, ...(args.move_home ? ['-m'] : []));
  if (args.shell !== undefined && user.shell !== args.shell) w.push('-s', args.shell);
  w.push(...expiresWords(args, facts));

  // Ansible's info[1]: the shadow hash, or the passwd field when it is more than a marker
  const sh = facts.shadow;
  const locked = sh ? sh.locked : user.passwd.startsWith('!');
  const digest = sh ? sh.digest : passwordDigest(user.passwd.length > 1 ? user.passwd : '');
  if (args.password_lock && !locked) w.push('-L');
  else if (args.password_lock === false && locked) w.push('-U');
  let newHash: string | undefined;
  if (args.update_password !== 'on_create' && args.password !== undefined && digest !== passwordDigest(args.password)) {
    const i = w.findIndex((x) => x === '-L' || x === '-U');
    if (i >= 0) w.splice(i, 1);
    newHash = args.password_lock ? `!${args.password}` : args.password;
  }

  const steps: Step[] = [];
  if (w.length) steps.push({ kind: 'exec', cmd: cmd('usermod', [...w, args.name]) });
  if (newHash !== undefined) steps.push(passwordStep(args.name, newHash));

  // Ansible then makes a missing home (create_home defaults to true even for existing users)
  const finalHome = args.home ?? user.home;
  const movedThere = homeChanges && args.move_home && facts.have['home-current'] === true;
  const homeExists = homeChanges ? movedThere || facts.have['home-wanted'] === true : facts.have['home-current'] === true;
  let changed = steps.length > 0;
  if (!homeExists && args.create_home !== false) {
    if (!ctx.check) steps.push(homedirStep(args.name, finalHome, args.skeleton));
    changed = true;
  }
  const chage = chageWords(args, facts, false);
  if (chage.length) {
    steps.push({ kind: 'exec', cmd: cmd('chage', [...chage, args.name]) });
    changed = true;
  }
  const result: Record<string, unknown> = { append: args.append ?? false, move_home: args.move_home ?? false };
  return { steps, changed, result, warnings };
}

/** The whole decision for one task: steps, the result fields Ansible adds, its warnings. */
export function planUser(args: UserArgs, facts: AccountFacts, ctx: Pick<PlanContext, 'check'>): UserPlan {
  const state = args.state ?? 'present';
  const warnings: string[] = [];
  const pw = passwordWarning(args.password);
  if (pw) warnings.push(pw);
  if (args.groups === undefined && args.append) {
    warnings.push("'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups.This will change to an error in Ansible 2.14.");
  }
  let plan: UserPlan;
  if (state === 'absent') {
    if (!facts.user) plan = { steps: [], changed: false, result: { name: args.name, state }, warnings: [] };
    else if (ctx.check) plan = { steps: [], changed: true, result: {}, warnings: [], bare: true };
    else {
      const w = [...(args.force ? ['-f'] : []), ...(args.remove ? ['-r'] : []), args.name];
      plan = { steps: [{ kind: 'exec', cmd: cmd('userdel', w) }], changed: true, result: { name: args.name, state, force: args.force ?? false, remove: args.remove ?? false }, warnings: [] };
    }
  } else {
    plan = facts.user ? planModify(args, facts, ctx) : planCreate(args, facts, ctx);
    if (!plan.bare) {
      plan.result = { name: args.name, state, ...plan.result };
      if (args.password !== undefined) plan.result.password = NOT_LOGGING;
    }
  }
  plan.warnings = [...warnings, ...plan.warnings];
  return plan;
}

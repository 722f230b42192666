// ansible.posix.mount on Linux: a mount point in fstab (present, absent_from_fstab), in
// the running system (unmounted, remounted, ephemeral) or both (mounted, absent). The
// probe reads fstab, /proc/self/mountinfo and whether the path is a mount point; the fstab
// edit is pure (mount-fstab.ts); a change runs as one script that, like Ansible, puts the
// old fstab back and removes the directories it made when the mount fails. BSD and
// Solaris vfstab are not implemented.
//
//   - ansible.posix.mount:
//       path: /srv/data
//       src: /dev/vg0/data
//       fstype: ext4
//       opts: noatime
//       state: mounted
import type { FromSchema } from 'json-schema-to-ts';
import { FILE_PROBE_PRELUDE, factsFor, parseFileProbe } from '../facts/file-probe.js';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { backupName, makeBackupStamp, type BackupStamp } from './file-common.js';
import { expandedPathWord } from './known-hosts.js';
import { linuxMounts, setMount, unsetMount } from './mount-fstab.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    boot: { type: 'boolean', default: true },
    dump: { type: 'string', default: '0' },
    fstab: { type: 'string' },
    fstype: { type: 'string' },
    path: { type: 'string' },
    opts: { type: 'string' },
    passno: { type: 'string', default: '0' },
    src: { type: 'string' },
    backup: { type: 'boolean', default: false },
    state: { type: 'string', enum: ['absent', 'absent_from_fstab', 'mounted', 'present', 'unmounted', 'remounted', 'ephemeral'] },
  },
  required: ['path', 'state'],
  additionalProperties: false,
} as const;

export type MountArgs = FromSchema<typeof schema>;

/** Ansible's `args`: the module's view of the mount, returned with the result. */
export interface MountSpec {
  name: string;
  src?: string;
  fstype?: string;
  opts: string;
  dump: string;
  passno: string;
  fstab: string;
  boot: 'yes' | 'no';
  warnings: string[];
}

export interface MountPrepared {
  args: MountArgs;
  spec: MountSpec;
  stamp: BackupStamp;
}

export interface MountFacts {
  path: string;
  have: { mount: boolean; umount: boolean };
  /** os.path.exists(name), and Ansible's ismount(name). */
  exists: boolean;
  ismount: boolean;
  fstabExists: boolean;
  fstab: string;
  mountinfo?: string;
  /** `mount -v` (ephemeral only): [source, mount point] pairs, its first and third words (a loop mount shows its file). */
  mounted: [string, string][];
}

export function prepareMount(args: MountArgs): MountPrepared {
  const spec: MountSpec = { name: args.path, opts: 'defaults', dump: '0', passno: '0', fstab: args.fstab ?? '/etc/fstab', boot: 'yes', warnings: [] };
  if (args.src !== undefined) spec.src = args.src;
  if (args.fstype !== undefined) spec.fstype = args.fstype;
  if (args.passno !== undefined) spec.passno = args.passno;
  if (args.opts !== undefined) spec.opts = args.opts;
  if (args.dump !== undefined) spec.dump = args.dump;
  const opts = spec.opts.split(',');
  if (opts.includes('noauto')) spec.warnings.push("Ignore the 'boot' due to 'opts' contains 'noauto'.");
  else if (args.boot === false) {
    spec.boot = 'no';
    if (opts.includes('defaults')) spec.warnings.push("Ignore the 'boot' due to 'opts' contains 'defaults'.");
    else spec.opts = [...opts, 'noauto'].join(',');
  }
  return { args, spec, stamp: makeBackupStamp() };
}

function capture(tag: string, cmd: string): string {
  return `printf '@%s\\n' ${tag}; rp_o=$(${cmd} 2>/dev/null; printf x); rp_o=\${rp_o%x}; printf 'content %d\\n' "\${#rp_o}"; printf '%s\\n' "$rp_o"`;
}

export function mountProbe(p: MountPrepared): string {
  const n = expandedPathWord(p.spec.name);
  return [
    FILE_PROBE_PRELUDE,
    "printf '@m\\n'",
    "printf 'path %s\\n' \"$PATH\"",
    SBIN_PATH,
    "for rp_t in mount umount; do if command -v $rp_t >/dev/null 2>&1; then printf 'have %s\\n' $rp_t; fi; done",
    `rp_n=${n}`,
    'if [ -e "$rp_n" ]; then printf \'exists yes\\n\'; fi',
    // ismount: not a link, and on another device than its parent (or the same inode: /)
    'if [ ! -L "$rp_n" ]; then rp_a=$(stat -c \'%d %i\' -- "$rp_n" 2>/dev/null) && rp_b=$(stat -L -c \'%d %i\' -- "$rp_n/.." 2>/dev/null) && printf \'st %s %s\\n\' "$rp_a" "$rp_b"; fi',
    `rp_f fstab ${quote(p.spec.fstab)} L - -1 -`,
    capture('mountinfo', 'cat /proc/self/mountinfo'),
    ...(p.args.state === 'ephemeral' ? [capture('mounts', 'mount -v')] : []),
    'exit 0',
  ].join('\n');
}

export function parseMount(out: ExecResult): MountFacts {
  const rec = parseFileProbe(out);
  const m = factsFor(rec, 'm');
  const f = factsFor(rec, 'fstab');
  const st = m.extra.st?.[0]?.split(' ').map(Number);
  const have = new Set(m.extra.have ?? []);
  const mountsText = factsFor(rec, 'mounts').content?.toString('utf8') ?? '';
  return {
    path: m.extra.path?.[0] ?? '',
    have: { mount: have.has('mount'), umount: have.has('umount') },
    exists: m.extra.exists?.[0] === 'yes',
    ismount: !!st && st.length === 4 && (st[0] !== st[2] || st[1] === st[3]),
    fstabExists: f.exists,
    fstab: f.content?.toString('utf8') ?? '',
    mountinfo: rec.mountinfo ? (factsFor(rec, 'mountinfo').content?.toString('utf8') ?? '') : undefined,
    mounted: mountsText
      .split('\n')
      .map((l) => l.split(/\s+/))
      .filter((w) => w.length > 2)
      .map((w) => [w[0], w[2]]),
  };
}

function missing(tool: string, path: string): ModuleFailure {
  const dirs = path.split(':');
  for (const d of ['/sbin', '/usr/sbin', '/usr/local/sbin']) if (!dirs.includes(d)) dirs.push(d);
  return new ModuleFailure(`Failed to find required executable "${tool}" in paths: ${dirs.join(':')}`);
}

const fstabArgs = (s: MountSpec) => (s.fstab && s.fstab !== '/etc/fstab' ? ` -T ${quote(s.fstab)}` : '');

/** The shell for mount(): `mount [-T fstab] NAME`, or with the ephemeral's type, options and source. */
function mountCmd(p: MountPrepared): string {
  const s = p.spec;
  if (p.args.state === 'ephemeral') return `mount -t ${quote(s.fstype!)}${s.opts !== 'defaults' ? ` -o ${quote(s.opts)}` : ''} ${quote(s.src!)} ${quote(s.name)}`;
  return `mount${fstabArgs(s)} ${quote(s.name)}`;
}

/** remount(): `mount -o remount`, and if that fails, umount then mount. Sets rp_r and rp_m. */
function remountScript(p: MountPrepared): string {
  const s = p.spec;
  const withOpts = p.args.state === 'remounted' && s.opts !== 'defaults';
  const eph = p.args.state === 'ephemeral' ? ` -t ${quote(s.fstype!)}${s.opts !== 'defaults' ? ` -o ${quote(s.opts)}` : ''} ${quote(s.src!)}` : fstabArgs(s);
  const first = `rp_m=$(mount -o ${quote(withOpts ? `remount,${s.opts}` : 'remount')}${eph} ${quote(s.name)} 2>&1); rp_r=$?`;
  const refuse =
    'Options were specified with remounted, but the remount command failed. Failing in order to prevent an unexpected mount result. ' +
    'Try replacing this command with a "state: unmounted" followed by a "state: mounted" using the full desired mount options instead.';
  const fallback = withOpts
    ? `printf '%s' ${quote(refuse)} >&2; exit 1`
    : `rp_m=$(umount ${quote(s.name)} 2>&1); rp_r=$?; if [ $rp_r -eq 0 ]; then rp_m=$(${mountCmd(p)} 2>&1); rp_r=$?; fi`;
  return `${first}; if [ $rp_r -ne 0 ]; then ${fallback}; fi`;
}

function umountScript(name: string): string {
  return `rp_m=$(umount ${quote(name)} 2>&1) || { printf 'Error unmounting %s: %s' ${quote(name)} "$rp_m" >&2; [ -z "$rp_m" ] || echo >&2; exit 1; }`;
}

/** mkdir -p that remembers what it made (rp_cN), and the rmdir that undoes it. */
function mkdirs(name: string): { make: string; undo: string } {
  const parts = name.replace(/^\/+|\/+$/g, '').split('/');
  const paths = parts.map((_, i) => (name.startsWith('/') ? '/' : '') + parts.slice(0, i + 1).join('/'));
  const make = paths.map((d, i) => `if [ ! -e ${quote(d)} ]; then rp_m=$(mkdir -- ${quote(d)} 2>&1) || { [ -d ${quote(d)} ] || { printf 'Error making dir %s: %s' ${quote(name)} "$rp_m" >&2; exit 1; }; }; rp_c${i}=1; fi`);
  const undo = paths.map((d, i) => `if [ -n "\${rp_c${i}-}" ]; then rmdir -- ${quote(d)} 2>/dev/null; fi`).reverse();
  return { make: make.join('; '), undo: undo.join('; ') };
}

function writeFstab(p: MountPrepared, text: string): string {
  return `printf '%s' ${quote(text)} > ${quote(p.spec.fstab)}`;
}

export function planMount(p: MountPrepared, facts: MountFacts, ctx: Pick<PlanContext, 'check'>): Plan {
  const { args, spec } = p;
  const state = args.state!;
  const mounts = facts.mountinfo !== undefined ? linuxMounts(facts.mountinfo) : undefined;
  const warnings = [...(mounts ? [] : ['Cannot open file /proc/self/mountinfo. Bind mounts might be misinterpreted.']), ...spec.warnings];
  const name = spec.name;
  const isMounted = (src?: string) => facts.ismount || (!!mounts && mounts.has(name) && (src === undefined || mounts.get(name)!.src === src));
  const backupFile = spec.fstab ? backupName(spec.fstab, p.stamp) : '';
  const result: Record<string, unknown> = { ...spec, backup_file: '' };
  if (warnings.length) result.warnings = warnings;
  else delete result.warnings;
  const script: string[] = [SBIN_PATH];
  const fstabText = facts.fstab;
  // Ansible creates a missing fstab (and its directory) before anything else (here only
  // along with a change: a step is a change)
  if (state !== 'ephemeral' && !facts.fstabExists) script.push(`mkdir -p -- ${quote(spec.fstab.replace(/\/[^/]*$/, '') || '/')} && : >> ${quote(spec.fstab)}`);
  const saveFstab = (text: string) => {
    if (args.backup && facts.fstabExists) {
      script.push(`cp -p -- ${quote(spec.fstab)} ${quote(backupFile)}`);
      result.backup_file = backupFile;
    }
    script.push(writeFstab(p, text));
  };
  const need = (tool: 'mount' | 'umount') => {
    if (!facts.have[tool]) throw missing(tool, facts.path);
  };
  let changed = false;
  if (state === 'absent' || state === 'absent_from_fstab') {
    const r = unsetMount(fstabText, spec);
    changed = r.changed;
    if (changed) {
      saveFstab(r.text);
      if (state === 'absent') {
        if (isMounted()) {
          need('umount');
          script.push(umountScript(name));
        }
        if (facts.exists) script.push(`rp_m=$(rmdir -- ${quote(name)} 2>&1) || { printf 'Error rmdir %s: %s' ${quote(name)} "$rp_m" >&2; exit 1; }`);
      }
    }
  } else if (state === 'unmounted') {
    if (isMounted()) {
      need('umount');
      script.push(umountScript(name));
      changed = true;
    }
  } else if (state === 'present') {
    const r = setMount(fstabText, spec as Required<MountSpec>);
    changed = r.changed;
    if (changed) saveFstab(r.text);
  } else if (state === 'remounted') {
    need('mount');
    script.push(remountScript(p), `if [ $rp_r -ne 0 ]; then printf 'Error remounting %s: %s' ${quote(name)} "$rp_m" >&2; [ -z "$rp_m" ] || echo >&2; exit 1; fi`);
    changed = true;
  } else {
    need('mount');
    const dirs = facts.exists ? { make: '', undo: '' } : mkdirs(name);
    if (dirs.make) script.push(dirs.make);
    let old = fstabText;
    if (state === 'mounted') {
      const r = setMount(fstabText, spec as Required<MountSpec>);
      changed = r.changed;
      old = r.old;
      if (changed) saveFstab(r.text);
    }
    let act: string | undefined;
    if (isMounted(spec.src)) {
      if (state === 'mounted' && changed) act = remountScript(p);
      if (state === 'ephemeral') {
        const same = (mounts && mounts.has(name) && mounts.get(name)!.src === spec.src) || facts.mounted.some(([s, d]) => s === spec.src && d === name);
        if (!same) {
          throw new ModuleFailure(
            'Ephemeral mount point is already mounted with a different source than the specified one. Failing in order to prevent an unwanted unmount or override operation. ' +
              'Try replacing this command with a "state: unmounted" followed by a "state: ephemeral", or use a different destination path.',
          );
        }
        changed = true;
        act = remountScript(p);
      }
    } else {
      changed = true;
      act = `rp_m=$(${mountCmd(p)} 2>&1); rp_r=$?`;
    }
    if (act) {
      const restore = state !== 'ephemeral' ? `${writeFstab(p, old)} 2>/dev/null; ` : '';
      script.push(act, `if [ $rp_r -ne 0 ]; then ${restore}${dirs.undo ? `${dirs.undo}; ` : ''}printf 'Error mounting %s: %s' ${quote(name)} "$rp_m" >&2; [ -z "$rp_m" ] || echo >&2; exit 1; fi`);
    }
  }
  // the script's stderr is the module's message (mount's own output ends in a newline, as in Ansible's)
  const steps: Step[] = changed && !ctx.check ? [{ kind: 'exec', cmd: script.join('\n'), stderrIsMessage: true }] : [];
  return { steps, changed, result };
}

export const mountModule = defineModule<MountArgs, MountPrepared, MountFacts>({
  name: 'mount',
  aliases: ['ansible.posix.mount'],
  summary: 'Control mount points in fstab and the running system: mounted, unmounted, present, absent, remounted (ansible.posix, Linux)',
  schema,
  argAliases: { name: 'path' },
  constraints: {
    required_if: [
      ['state', 'mounted', ['src', 'fstype']],
      ['state', 'present', ['src', 'fstype']],
      ['state', 'ephemeral', ['src', 'fstype']],
    ],
  },
  checkMode: 'plan',
  prepare: prepareMount,
  probe: mountProbe,
  parse: parseMount,
  plan: planMount,
});

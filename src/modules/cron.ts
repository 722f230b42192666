// ansible.builtin.cron: one job (under its `#Ansible: NAME` comment) or one environment
// variable in a user's crontab, read with `crontab -l` and installed with `crontab FILE`,
// or in a cron_file (a name under /etc/cron.d, or an absolute path) written in place.
// The crontab is read by the probe; what changes is computed here with Ansible's rules
// (cron-tab.ts), so a crontab Ansible manages reads the same to rackplay and back.
//
//   - ansible.builtin.cron:
//       name: nightly backup
//       minute: "0"
//       hour: "3"
//       job: /usr/local/bin/backup >/dev/null 2>&1
//       user: backup
import type { FromSchema } from 'json-schema-to-ts';
import { randomBytes } from 'node:crypto';
import { FILE_PROBE_PRELUDE, factsFor, parseFileProbe, probeFile } from '../facts/file-probe.js';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import { CronLines, cronJobLine, pySplitLines, readCrontabOutput } from './cron-tab.js';
import { ModuleFailure, defineModule, type FileDiff, type Plan, type Step } from './types.js';
import type { ExecResult } from '../transport/types.js';

const TIME = { type: 'string', default: '*' } as const;

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    user: { type: 'string' },
    job: { type: 'string' },
    cron_file: { type: 'string' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    backup: { type: 'boolean', default: false },
    minute: TIME,
    hour: TIME,
    day: TIME,
    month: TIME,
    weekday: TIME,
    special_time: { type: 'string', enum: ['reboot', 'yearly', 'annually', 'monthly', 'weekly', 'daily', 'hourly'] },
    disabled: { type: 'boolean', default: false },
    env: { type: 'boolean', default: false },
    insertafter: { type: 'string' },
    insertbefore: { type: 'string' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type CronArgs = FromSchema<typeof schema>;

export interface CronPrepared {
  args: CronArgs;
  /** The cron_file's full path (a bare name is under /etc/cron.d). */
  file?: string;
  /** Where a backup goes: Ansible's mkstemp(prefix='crontab') in /tmp. */
  backupPath: string;
}

export interface CronFacts {
  /** $PATH as the module saw it, for the missing-crontab message. */
  path: string;
  haveCrontab: boolean;
  /** The remote user (after become): `-u` is only given for another user. */
  whoami: string;
  /** The crontab's text: `crontab -l`'s output, or the cron_file's content ('' when absent). */
  text: string;
  /** `crontab -l`'s status (0, or 1 for no crontab, are fine). */
  rc: number;
  /** The cron_file is a regular file (os.path.isfile). */
  isFile: boolean;
}

export function prepareCron(args: CronArgs): CronPrepared {
  const cf = args.cron_file;
  if (cf === '/etc/crontab') throw new ModuleFailure('Will not manage /etc/crontab via cron_file, see documentation.');
  const file = cf === undefined || cf === '' ? undefined : cf.startsWith('/') ? cf : `/etc/cron.d/${cf}`;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_';
  const suffix = [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
  return { args, file, backupPath: `/tmp/crontab${suffix}` };
}

function asUser(user: string | undefined, inner: (u: string) => string, plain: string): string {
  if (user === undefined) return plain;
  return `if [ "$(id -un 2>/dev/null)" = ${quote(user)} ]; then ${plain}; else ${inner(quote(user))}; fi`;
}

export function cronProbe(p: CronPrepared): string {
  const lines = [FILE_PROBE_PRELUDE, "printf '@cron\\n'", "printf 'path %s\\n' \"$PATH\"", SBIN_PATH, "printf 'whoami %s\\n' \"$(id -un 2>/dev/null)\""];
  lines.push("if command -v crontab >/dev/null 2>&1; then printf 'crontab yes\\n'; fi");
  if (p.file) {
    lines.push(probeFile('file', p.file, { follow: true, contentMax: -1 }));
  } else {
    const read = (u?: string) => `rp_o=$(crontab ${u ? `-u ${u} ` : ''}-l 2>/dev/null; rp_r=$?; printf x; exit $rp_r)`;
    lines.push(
      "printf '@tab\\n'",
      `if command -v crontab >/dev/null 2>&1; then ${asUser(p.args.user, read, read())}; printf 'rc %s\\n' $?; else rp_o=x; fi`,
      "rp_o=${rp_o%x}; printf 'content %d\\n' \"${#rp_o}\"; printf '%s\\n' \"$rp_o\"",
    );
  }
  lines.push('exit 0');
  return lines.join('\n');
}

export function parseCron(out: ExecResult, p: CronPrepared): CronFacts {
  const rec = parseFileProbe(out);
  const cron = factsFor(rec, 'cron');
  const facts: CronFacts = {
    path: cron.extra.path?.[0] ?? '',
    haveCrontab: cron.extra.crontab?.[0] === 'yes',
    whoami: cron.extra.whoami?.[0] ?? '',
    text: '',
    rc: 0,
    isFile: false,
  };
  if (p.file) {
    const f = factsFor(rec, 'file');
    facts.isFile = f.exists && f.type === 'file';
    facts.text = f.content?.toString('utf8') ?? '';
  } else {
    const t = factsFor(rec, 'tab');
    facts.rc = Number(t.extra.rc?.[0] ?? 0);
    facts.text = t.content?.toString('utf8') ?? '';
  }
  return facts;
}

/** get_bin_path's words: $PATH, then the sbin directories it adds. */
function missingCrontab(path: string): ModuleFailure {
  const dirs = path.split(':');
  for (const d of ['/sbin', '/usr/sbin', '/usr/local/sbin']) if (!dirs.includes(d)) dirs.push(d);
  return new ModuleFailure(`Failed to find required executable "crontab" in paths: ${dirs.join(':')}`);
}

function header(p: CronPrepared): string {
  if (p.file) return p.file;
  return p.args.user !== undefined ? `crontab for user "${p.args.user}"` : 'crontab';
}

function validate(a: CronArgs, p: CronPrepared): void {
  const times = [a.minute, a.hour, a.day, a.month, a.weekday];
  if (a.special_time && times.some((x) => x !== '*')) throw new ModuleFailure('You must specify time and date fields or special time.');
  if ((a.state ?? 'present') !== 'present') return;
  if (p.file && a.user === undefined) throw new ModuleFailure('To use cron_file=... parameter you must specify user=... as well');
  if (a.job === undefined) throw new ModuleFailure("You must specify 'job' to install a new cron job or variable");
  if ((a.insertafter !== undefined || a.insertbefore !== undefined) && !a.env) throw new ModuleFailure('Insertafter and insertbefore parameters are valid only with env=yes');
}

/** The commands that install `text` as the crontab or the cron_file. */
function writeStep(p: CronPrepared, facts: CronFacts, text: string): Step {
  if (p.file) return { kind: 'exec', cmd: `umask 022 && cat > ${quote(p.file)}`, stdin: text };
  const u = p.args.user !== undefined && p.args.user !== facts.whoami ? `-u ${quote(p.args.user)} ` : '';
  const cmd = `rp_t=$(mktemp /tmp/crontabXXXXXXXX) || exit 1; chmod 0644 "$rp_t"; cat > "$rp_t" && crontab ${u}"$rp_t"; rp_r=$?; rm -f "$rp_t"; exit $rp_r`;
  // Ansible fails with crontab's stderr as the message
  return { kind: 'exec', cmd: `${SBIN_PATH}; ${cmd}`, stdin: text, stderrIsMessage: true };
}

export function planCron(p: CronPrepared, facts: CronFacts): Plan {
  const a = p.args;
  if (!facts.haveCrontab) throw missingCrontab(facts.path);
  if (!p.file && facts.rc !== 0 && facts.rc !== 1) throw new ModuleFailure('Unable to read crontab');
  const warnings: string[] = [];
  if (a.cron_file) {
    const base = a.cron_file.split('/').pop() ?? '';
    if (!/^[A-Z0-9_-]+$/i.test(base)) {
      warnings.push(`Filename portion of cron_file ("${base}") should consist solely of upper- and lower-case letters, digits, underscores, and hyphens`);
    }
  }
  const read = p.file ? { lines: pySplitLines(facts.text), existing: facts.text } : readCrontabOutput(facts.text);
  const tab = new CronLines(read.lines);
  const before = tab.render();
  const diff: FileDiff = { before: read.existing, after: '', before_header: header(p), after_header: header(p) };
  validate(a, p);
  const install = (a.state ?? 'present') === 'present';
  const name = a.name!;
  let changed = false;
  if (a.env) {
    if (name.includes(' ')) throw new ModuleFailure('Invalid name for environment variable');
    const decl = `${name}="${a.job}"`;
    const old = tab.findEnv(name);
    if (install) {
      if (!old.length) {
        const missing = tab.addEnv(decl, a.insertafter, a.insertbefore);
        if (missing !== undefined) throw new ModuleFailure(`Variable named '${missing}' not found.`);
        changed = true;
      } else if (old[1] !== decl) {
        tab.updateEnv(name, decl);
        changed = true;
      }
    } else if (old.length) {
      tab.updateEnv(name, undefined);
      changed = true;
    }
  } else if (install) {
    if (/[\r\n]/.test(a.job!.replace(/^[\r\n]+|[\r\n]+$/g, ''))) warnings.push('Job should not contain line breaks');
    const job = cronJobLine({ ...times(a), job: a.job!, special: a.special_time, disabled: a.disabled ?? false, fileUser: p.file ? a.user : undefined });
    const old = tab.findJob(name, job);
    if (!old.length) {
      tab.addJob(name, job);
      changed = true;
    } else if (old[1] !== job || old.length > 2) {
      tab.updateJob(name, job);
      changed = true;
    }
  } else if (tab.findJob(name).length) {
    tab.updateJob(name, undefined);
    changed = true;
    if (p.file && tab.isEmpty()) {
      // Ansible deletes a cron_file left without jobs, and says so with these fields only
      const gone: FileDiff = { ...diff, after: '', after_header: '/dev/null' };
      return { steps: facts.isFile ? [{ kind: 'exec', cmd: `rm -f -- ${quote(p.file)}` }] : [], changed: facts.isFile, diff: gone, result: { cron_file: a.cron_file, state: a.state } };
    }
  }
  // nothing to do, but an existing crontab lacks its final newline
  if (!changed && read.existing !== '' && !/[\r\n]$/.test(read.existing)) changed = true;
  const result: Record<string, unknown> = { jobs: tab.jobNames(), envs: tab.envNames(), ...(warnings.length ? { warnings } : {}) };
  const steps: Step[] = [];
  if (changed) {
    if (a.backup) {
      steps.push({ kind: 'exec', cmd: `umask 077 && cat > ${quote(p.backupPath)}`, stdin: before });
      result.backup_file = p.backupPath;
    }
    steps.push(writeStep(p, facts, tab.render()));
  }
  if (a.cron_file) result.cron_file = a.cron_file;
  return { steps, changed, diff: { ...diff, after: tab.render() }, result };
}

function times(a: CronArgs) {
  return { minute: a.minute ?? '*', hour: a.hour ?? '*', day: a.day ?? '*', month: a.month ?? '*', weekday: a.weekday ?? '*' };
}

export const cronModule = defineModule<CronArgs, CronPrepared, CronFacts>({
  name: 'cron',
  summary: "Manage a cron job or variable in a user's crontab or a cron_file, under Ansible's #Ansible: NAME comments",
  schema,
  argAliases: { value: 'job', dom: 'day', dow: 'weekday' },
  constraints: { mutually_exclusive: [['insertafter', 'insertbefore']] },
  checkMode: 'plan',
  prepare: prepareCron,
  probe: cronProbe,
  parse: parseCron,
  plan: (p, facts) => planCron(p, facts),
});

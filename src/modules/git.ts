// ansible.builtin.git with the host's own `git`: clone, fetch and check out a branch, tag
// or commit as Ansible's module does, with its arguments, results (`before`, `after`,
// `remote_url_changed`), messages, check mode (predicted with `git ls-remote`) and diff.
// The decision tree runs on the host as one sh script (git-script.ts), sent on stdin so
// that a repository URL with credentials in it never shows in the host's process list.
// A run, not a plan: `after` and the diff are only known once the fetch has happened.
// Not done: git older than 1.9 (no `fetch --tags` fix-up, no ssh wrapper for git < 2.3).
//
//   - ansible.builtin.git:
//       repo: https://git.example.org/app.git
//       dest: /srv/app
//       version: v1.4.2
//       depth: 1
import type { FromSchema } from 'json-schema-to-ts';
import { randomBytes } from 'node:crypto';
import { splitLines } from './command-runner.js';
import { gitScript, type GitScriptParams } from './git-script.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    repo: { type: 'string' },
    dest: { type: 'string' },
    version: { type: 'string', default: 'HEAD' },
    remote: { type: 'string', default: 'origin' },
    refspec: { type: 'string' },
    reference: { type: 'string' },
    force: { type: 'boolean', default: false },
    depth: { type: 'integer' },
    clone: { type: 'boolean', default: true },
    update: { type: 'boolean', default: true },
    verify_commit: { type: 'boolean', default: false },
    gpg_whitelist: { type: 'array', items: { type: 'string' }, default: [] },
    accept_hostkey: { type: 'boolean', default: false },
    accept_newhostkey: { type: 'boolean', default: false },
    key_file: { type: 'string' },
    ssh_opts: { type: 'string' },
    executable: { type: 'string' },
    bare: { type: 'boolean', default: false },
    recursive: { type: 'boolean', default: true },
    single_branch: { type: 'boolean', default: false },
    track_submodules: { type: 'boolean', default: false },
    umask: {},
    archive: { type: 'string' },
    archive_prefix: { type: 'string' },
    separate_git_dir: { type: 'string' },
  },
  required: ['repo'],
  additionalProperties: false,
} as const;

export type GitArgs = FromSchema<typeof schema>;

/** Ansible's refusals before it touches the host. */
function checkArgs(args: GitArgs): void {
  if (args.archive_prefix !== undefined && args.archive === undefined) throw new ModuleFailure('missing parameter(s) required by \'archive_prefix\': archive');
}

/** umask as Ansible takes it: a quoted octal string, nothing else. */
export function gitUmask(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ModuleFailure('umask must be defined as a quoted octal integer');
  if (!/^\s*[+-]?(0o)?[0-7]+\s*$/i.test(value)) throw new ModuleFailure('umask must be an octal integer', { details: `invalid literal for int() with base 8: '${value}'` });
  return parseInt(value.trim().replace(/^([+-]?)0o/i, '$1'), 8).toString(8).padStart(4, '0');
}

/** ssh_opts after accept_hostkey, as Ansible's main() adds it (undefined stays "not given"). */
export function gitSshOpts(args: Pick<GitArgs, 'accept_hostkey' | 'ssh_opts'>): string | undefined {
  let opts = args.ssh_opts;
  if (args.accept_hostkey) {
    if (opts === undefined) opts = '-o StrictHostKeyChecking=no';
    else if (!opts.includes('-o StrictHostKeyChecking=no') && !opts.includes('-o StrictHostKeyChecking=accept-new')) opts += ' -o StrictHostKeyChecking=no';
  }
  return opts;
}

export function gitParams(args: GitArgs, ctx: { check: boolean; diff: boolean }, marker: string): GitScriptParams {
  checkArgs(args);
  return {
    git: args.executable ?? 'git',
    repo: args.repo,
    dest: args.dest ?? '',
    version: args.version,
    remote: args.remote,
    refspec: args.refspec ?? '',
    reference: args.reference ?? '',
    depth: args.depth ?? 0,
    bare: args.bare,
    clone: args.clone,
    update: args.update,
    force: args.force,
    check: ctx.check,
    diff: ctx.diff,
    recursive: args.recursive,
    trackSubmodules: args.track_submodules,
    singleBranch: args.single_branch,
    acceptHostkey: args.accept_hostkey,
    acceptNewhostkey: args.accept_newhostkey,
    sshOpts: gitSshOpts(args),
    keyFile: args.key_file ?? '',
    umask: gitUmask(args.umask),
    archive: args.archive ?? '',
    archivePrefix: args.archive_prefix,
    separateGitDir: args.separate_git_dir ?? '',
    verifyCommit: args.verify_commit,
    gpgWhitelist: args.gpg_whitelist,
    marker,
  };
}

/** The values the script printed between its marker lines, in order (a name may repeat). */
export function markedValues(stdout: string, marker: string): [string, string][] {
  const out: [string, string][] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith(`${marker} `)) continue;
    const name = lines[i].slice(marker.length + 1);
    const end = lines.indexOf(marker, i + 1);
    if (end < 0) break;
    out.push([name, lines.slice(i + 1, end).join('\n')]);
    i = end;
  }
  return out;
}

/** Ansible's `*_lines` next to a result's stdout and stderr. */
function withLines(fields: Record<string, unknown>): Record<string, unknown> {
  for (const k of ['stdout', 'stderr']) {
    const v = fields[k];
    if (typeof v === 'string') fields[`${k}_lines`] = splitLines(v);
  }
  return fields;
}

/** The task result (or the failure) from the script's output. */
export function gitResult(stdout: string, marker: string): ModuleResult {
  const result: ModuleResult = { changed: false, before: null };
  const warnings: string[] = [];
  const fields: Record<string, unknown> = {};
  let fail: string | undefined;
  let keep = false;
  let done = false;
  for (const [name, value] of markedValues(stdout, marker)) {
    if (name === 'warn') warnings.push(value);
    else if (name === 'changed' || name === 'remote_url_changed' || name === 'submodules_changed') result[name] = value === 'true';
    else if (name === 'before' || name === 'after') result[name] = value === 'None' ? null : value;
    else if (name === 'diff') result.diff = { prepared: value } as never;
    else if (name === 'msg') result.msg = value;
    else if (name === 'rc') fields.rc = Number(value);
    else if (name === 'cmd') fields.cmd = value.split('\n');
    else if (name === 'cmdstr') fields.cmd = value;
    else if (name === 'stdout' || name === 'stderr' || name === 'details') fields[name] = value;
    else if (name === 'git_dir_before' || name === 'git_dir_now') result[name] = value;
    else if (name === 'fail') fail = value;
    else if (name === 'keep') keep = true;
    else if (name === 'done') done = true;
  }
  // Ansible's key order (a debug of the whole result shows it): changed, warnings, the
  // separate git dir's move, before, then the rest as they came
  const { changed, git_dir_before, git_dir_now, before, ...rest } = result;
  const ordered: ModuleResult = { changed, ...(warnings.length ? { warnings } : {}), ...(git_dir_before !== undefined ? { git_dir_before, git_dir_now } : {}), before, ...rest };
  if (fail !== undefined) {
    // only the local-modifications refusal carries the result so far, as in Ansible
    const { msg: _ignored, ...kept } = ordered;
    throw new ModuleFailure(fail, { ...(keep ? kept : {}), ...(warnings.length ? { warnings } : {}), ...withLines(fields), changed: false });
  }
  if (!done) throw new ModuleFailure('git: the script on the host stopped before it finished', withLines(fields));
  return ordered;
}

async function runGit(args: GitArgs, ctx: RunContext): Promise<ModuleResult> {
  const marker = `@@rackplay-${randomBytes(6).toString('hex')}`;
  const params = gitParams(args, ctx, marker);
  const r = await ctx.exec('sh -s', { stdin: gitScript(params) });
  if (!r.stdout.includes(`${marker} done`) && !r.stdout.includes(`${marker} fail`)) {
    throw new ModuleFailure(`git: the script on ${ctx.host} failed (rc=${r.rc}): ${r.stderr.trim()}`, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
  }
  return gitResult(r.stdout, marker);
}

export const gitModule = defineModule<GitArgs>({
  name: 'git',
  summary: 'Clone a git repository and check out a branch, tag or commit, with the host\'s git',
  schema,
  argAliases: { name: 'repo' },
  constraints: { mutually_exclusive: [['separate_git_dir', 'bare'], ['accept_hostkey', 'accept_newhostkey']] },
  checkMode: 'run',
  run: runGit,
});

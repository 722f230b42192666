// ansible.builtin.pip: Python packages through the host's own pip (`python3 -m pip`,
// pip3, a virtualenv's pip), created in a virtualenv when asked. Nothing of rackplay's
// runs in Python: a host with Python and pip is all it needs. One probe finds pip and
// reads `pip list --format=freeze` (`pip freeze` when that fails); a request that list
// already satisfies runs nothing more. Otherwise pip runs as Ansible runs it, and its
// "Successfully installed/uninstalled" says whether anything changed.
//
//   - ansible.builtin.pip:
//       name: ['requests>=2.28', 'six']
//       virtualenv: /srv/app/venv
//       virtualenv_command: python3 -m venv
//       extra_args: --no-index --find-links=/srv/wheels
import type { FromSchema } from 'json-schema-to-ts';
import { parseSections, section } from '../facts/system-probe.js';
import { shlexSplit } from '../shlex.js';
import { quote } from '../transport/quote.js';
import { isPresent, isVcsUrl, parseFreeze, parseRequirement, recoverPackageNames, type Requirement } from './pip-requirement.js';
import { splitLines } from './command-runner.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const STATE_ARGS = { present: ['install'], absent: ['uninstall', '-y'], latest: ['install', '-U'], forcereinstall: ['install', '-U', '--force-reinstall'] } as const;

const schema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['present', 'absent', 'latest', 'forcereinstall'], default: 'present' },
    name: { type: 'array', items: { type: 'string' } },
    version: { type: 'string' },
    requirements: { type: 'string' },
    virtualenv: { type: 'string' },
    virtualenv_site_packages: { type: 'boolean', default: false },
    virtualenv_command: { type: 'string', default: 'virtualenv' },
    virtualenv_python: { type: 'string' },
    extra_args: { type: 'string' },
    editable: { type: 'boolean', default: false },
    chdir: { type: 'string' },
    executable: { type: 'string' },
    umask: { type: ['string', 'integer'] },
  },
  additionalProperties: false,
} as const;

export type PipArgs = FromSchema<typeof schema>;

/** Where pip is and what it lists, from one probe. */
export interface PipProbe {
  /** The virtualenv named is not there yet. */
  noVenv?: boolean;
  /** pip's argv. */
  pip: string[];
  /** The list command run and its output. */
  listCmd: string;
  listOut: string;
}

const join = (dir: string, name: string) => (name.startsWith('/') ? name : `${dir.replace(/\/+$/, '')}/${name}`);

/** The probe: the virtualenv's state, pip's argv (@@pip, one word a line), then its list. */
export function pipProbe(opts: { env?: string; executable?: string; python: string; chdir: string }): string {
  const fail = (msg: string) => `rp_fail ${quote(msg)}`;
  let find: string;
  if (opts.executable?.startsWith('/')) find = `set -- ${quote(opts.executable)}`;
  else if (opts.executable) find = `rp_p=$(command -v ${quote(opts.executable)}) || ${fail(`Unable to find any of ${opts.executable} to use.  pip needs to be installed.`)}; set -- "$rp_p"`;
  else if (opts.env) {
    const bin = `${opts.env.replace(/\/+$/, '')}/bin`;
    find = `if [ -x ${quote(bin + '/pip3')} ]; then set -- ${quote(bin + '/pip3')}; elif [ -x ${quote(bin + '/pip')} ]; then set -- ${quote(bin + '/pip')}; else ${fail(`Unable to find pip in the virtualenv, ${opts.env}, under any of these names: pip3, pip. Make sure pip is present in the virtualenv.`)}; fi`;
  } else {
    // Ansible runs the pip module of the Python it runs in, else pip3 from PATH
    find = `if rp_py=$(command -v ${quote(opts.python)}) && "$rp_py" -c 'import pip' >/dev/null 2>&1; then set -- "$rp_py" -m pip.__main__; else rp_p=$(command -v pip3) || ${fail('Unable to find any of pip3 to use.  pip needs to be installed.')}; set -- "$rp_p"; fi`;
  }
  return [
    'LANG=C; LC_ALL=C; LC_MESSAGES=C; export LANG LC_ALL LC_MESSAGES',
    `rp_fail() { echo '@@pipfail'; echo "$1"; exit 0; }`,
    opts.env ? `if [ ! -f ${quote(opts.env.replace(/\/+$/, '') + '/bin/activate')} ]; then echo '@@novenv'; exit 0; fi` : '',
    find,
    `echo '@@pip'; for rp_w; do printf '%s\\n' "$rp_w"; done; echo '@@rc 0'`,
    `cd ${quote(opts.chdir)} 2>/dev/null || cd /`,
    section('list', '"$@" list --format=freeze 2>/dev/null'),
    `"$@" list --format=freeze >/dev/null 2>&1 || { ${section('freeze', '"$@" freeze')}; }`,
  ]
    .filter(Boolean)
    .join('\n');
}

export function parsePipProbe(stdout: string): PipProbe | { error: string; cmd?: string } {
  if (/^@@novenv$/m.test(stdout)) return { noVenv: true, pip: [], listCmd: '', listOut: '' };
  const failAt = stdout.indexOf('@@pipfail\n');
  if (failAt >= 0) return { error: stdout.slice(failAt + 10).trim() };
  const s = parseSections(stdout);
  const pip = (s.text.pip ?? '').split('\n').filter((w) => w !== '');
  if (s.rc.list === 0 || s.rc.freeze === undefined) return { pip, listCmd: [...pip, 'list', '--format=freeze'].join(' '), listOut: s.rc.list === 0 ? `${s.text.list ?? ''}\n` : '' };
  const freezeCmd = [...pip, 'freeze'].join(' ');
  if (s.rc.freeze !== 0) return { error: `stdout: ${s.text.freeze ?? ''}`, cmd: freezeCmd };
  return { pip, listCmd: freezeCmd, listOut: `${s.text.freeze ?? ''}\n` };
}

/** Ansible's _fail: pip's stdout and stderr in the message. */
function pipFailure(cmd: string[] | string, out: string, err: string): ModuleFailure {
  let msg = '';
  if (out) msg += `stdout: ${out}`;
  if (err) msg += `\n:stderr: ${err}`;
  return new ModuleFailure(msg, { cmd });
}

const words = (argv: readonly string[]) => argv.map(quote).join(' ');

interface Request {
  args: PipArgs;
  env?: string;
  chdir: string;
  packages: Requirement[];
  hasVcs: boolean;
  extraArgs?: string;
  umask?: number;
}

/** The arguments as the module reads them, with its words for what it refuses. */
export function readPipArgs(args: PipArgs): Request {
  if (args.name?.length && args.requirements !== undefined) throw new ModuleFailure('parameters are mutually exclusive: name|requirements');
  if (args.executable !== undefined && args.virtualenv !== undefined) throw new ModuleFailure('parameters are mutually exclusive: executable|virtualenv');
  if (!args.name && args.requirements === undefined) throw new ModuleFailure('one of the following is required: name, requirements');
  let umask: number | undefined;
  if (args.umask !== undefined) {
    umask = typeof args.umask === 'number' ? args.umask : /^[0-7]+$/.test(args.umask) ? parseInt(args.umask, 8) : NaN;
    if (Number.isNaN(umask)) throw new ModuleFailure('umask must be an octal integer', { details: `invalid literal for int() with base 8: '${args.umask}'` });
  }
  if (args.state === 'latest' && args.version !== undefined) throw new ModuleFailure('version is incompatible with state=latest');
  const chdir = args.chdir ?? '/tmp';
  const env = args.virtualenv && args.chdir ? join(args.chdir, args.virtualenv) : args.virtualenv;
  let packages: Requirement[] = [];
  if (args.name?.length) {
    packages = recoverPackageNames(args.name).map((n) => parseRequirement(n));
    if (args.version !== undefined) {
      if (packages.length > 1) {
        throw new ModuleFailure("'version' argument is ambiguous when installing multiple package distributions. Please specify version restrictions next to each package in 'name' argument.");
      }
      if (packages[0].specs.length) {
        throw new ModuleFailure("The 'version' argument conflicts with any version specifier provided along with a package name. Please keep the version specifier, but remove the 'version' argument.");
      }
      packages[0] = parseRequirement(packages[0].text, args.version);
    }
  }
  let extraArgs = args.extra_args;
  if (args.editable) {
    const list = extraArgs ? extraArgs.split(' ') : [];
    if (!list.includes('-e')) extraArgs = [...list, '-e'].join(' ');
  }
  return { args, env, chdir, packages, hasVcs: (args.name ?? []).some(isVcsUrl), extraArgs, umask };
}

/** In check mode, or before running: whether the request would change anything (undefined: only pip can tell). */
export function pipWouldChange(req: Request, installedText: string): boolean | undefined {
  const { state } = req.args;
  if (req.extraArgs || req.args.requirements !== undefined || state === 'latest' || state === 'forcereinstall' || !req.packages.length || req.hasVcs) return undefined;
  const installed = parseFreeze(installedText);
  return req.packages.some((p) => (state === 'present' ? !isPresent(p, installed) : isPresent(p, installed)));
}

async function probe(req: Request, ctx: RunContext): Promise<PipProbe> {
  const r = await ctx.exec(pipProbe({ env: req.env, executable: req.args.executable, python: pythonOf(ctx), chdir: req.chdir }));
  const p = parsePipProbe(r.stdout);
  if ('error' in p) throw new ModuleFailure(p.error, p.cmd ? { cmd: p.cmd } : {});
  return p;
}

/** setup_virtualenv: the command, its options and the directory, run in chdir. */
async function createVirtualenv(req: Request, python: string, ctx: RunContext): Promise<{ out: string; err: string }> {
  const { args } = req;
  const cmd = shlexSplit(args.virtualenv_command);
  const isVenvModule = ['pyvenv', '-m venv'].some((x) => args.virtualenv_command.includes(x));
  if (isVenvModule && args.virtualenv_python) throw new ModuleFailure('virtualenv_python should not be used when using the venv module or pyvenv as virtualenv_command');
  const script = [
    `cd ${quote(req.chdir)} || exit 1`,
    cmd[0].includes('/')
      ? `rp_c=${quote(cmd[0])}`
      : `rp_c=$(command -v ${quote(cmd[0])}) || { printf '@@fail\\n%s' ${quote(`Failed to find required executable "${cmd[0]}" in paths: `)}"$PATH"; exit 0; }`,
    'rp_o=',
    args.virtualenv_site_packages
      ? 'rp_o=--system-site-packages'
      : `rp_h=$("$rp_c" --help 2>&1) || { printf '@@fail\\n%s\\n' "Could not get output from $rp_c --help: $rp_h"; exit 0; }; case $rp_h in *--no-site-packages*) rp_o=--no-site-packages ;; esac`,
    isVenvModule ? '' : args.virtualenv_python ? `rp_o="$rp_o "${quote('-p' + args.virtualenv_python)}` : `rp_o="$rp_o -p$(command -v ${quote(python)} || echo ${quote(python)})"`,
    `echo "@@cmd $rp_c${cmd.length > 1 ? ' ' + words(cmd.slice(1)).replace(/"/g, '\\"') : ''} $rp_o ${req.env}"`,
    `"$rp_c" ${words(cmd.slice(1))} $rp_o ${quote(req.env!)}`,
  ]
    .filter(Boolean)
    .join('\n');
  const r = await ctx.exec(script);
  const failAt = r.stdout.indexOf('@@fail\n');
  if (failAt >= 0) throw new ModuleFailure(r.stdout.slice(failAt + 7));
  const shown = /^@@cmd (.*)$/m.exec(r.stdout)?.[1] ?? args.virtualenv_command;
  const out = r.stdout.replace(/^@@cmd .*\n/m, '');
  if (r.rc !== 0) throw pipFailure(shown.split(/\s+/).filter(Boolean), out, r.stderr);
  return { out, err: r.stderr };
}

function pythonOf(ctx: RunContext): string {
  const v = ctx.vars.ansible_python_interpreter;
  return typeof v === 'string' && v !== '' && !v.includes('{') ? v : 'python3';
}

async function runPip(args: PipArgs, ctx: RunContext): Promise<ModuleResult> {
  const req = readPipArgs(args);
  let out = '';
  let err = '';
  let found = await probe(req, ctx);
  let venvCreated = false;
  if (found.noVenv) {
    if (ctx.check) return { changed: true };
    ({ out, err } = await createVirtualenv(req, pythonOf(ctx), ctx));
    venvCreated = true;
    found = await probe(req, ctx);
  }
  const cmd = [...found.pip, ...STATE_ARGS[args.state]];
  if (req.extraArgs) cmd.push(...shlexSplit(req.extraArgs));
  if (req.packages.length) cmd.push(...req.packages.map((p) => p.text));
  else if (args.requirements !== undefined) cmd.push('-r', args.requirements);
  else return { changed: false, warnings: ['No valid name or requirements file found.'] };
  const wouldChange = pipWouldChange(req, found.listOut);
  if (ctx.check) {
    return { changed: wouldChange ?? true, cmd: found.listCmd, stdout: out + found.listOut, stderr: err };
  }
  const result = { cmd, name: args.name ?? null, version: args.version ?? null, state: args.state, requirements: args.requirements ?? null, virtualenv: req.env ?? null };
  // what is listed already meets the request: pip would only say so
  if (wouldChange === false) return { changed: venvCreated, ...result, stdout: out, stderr: err };
  const compareLists = args.requirements !== undefined || req.hasVcs;
  const prefix = [`cd ${quote(req.chdir)}`, req.umask !== undefined ? `umask ${req.umask.toString(8).padStart(4, '0')}` : '', req.env ? `PATH=${quote(req.env.replace(/\/+$/, '') + '/bin')}:"$PATH"; export PATH` : '']
    .filter(Boolean)
    .join(' && ');
  const r = await ctx.exec(`${prefix} && ${words(cmd)}`);
  out += r.stdout;
  err += r.stderr;
  if (r.rc === 1 && args.state === 'absent' && (r.stdout.includes('not installed') || r.stderr.includes('not installed'))) {
    // pip's rc for uninstalling what is not there
  } else if (r.rc !== 0) throw pipFailure(cmd, out, err);
  let changed: boolean;
  if (args.state === 'absent') changed = r.stdout.includes('Successfully uninstalled');
  else if (!compareLists) changed = r.stdout.includes('Successfully installed');
  else changed = (await probe(req, ctx)).listOut !== found.listOut;
  return { changed: changed || venvCreated, ...result, stdout: out, stderr: err };
}

/** Ansible's action adds stdout_lines and stderr_lines to every module result with stdout and stderr. */
function withLines(r: ModuleResult): ModuleResult {
  if (typeof r.stdout === 'string') r.stdout_lines = splitLines(r.stdout);
  if (typeof r.stderr === 'string') r.stderr_lines = splitLines(r.stderr);
  return r;
}

export const pipModule = defineModule<PipArgs>({
  name: 'pip',
  summary: 'Manages Python library dependencies',
  checkMode: 'run',
  schema,
  async run(args, ctx) {
    return withLines(await runPip(args, ctx));
  },
});

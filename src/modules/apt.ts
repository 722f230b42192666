// ansible.builtin.apt on shell alone: dpkg-query, apt-cache and apt-get instead of
// python-apt. One probe (apt-facts.ts) answers everything a run needs and joins the
// batched probe as this module's guard, so a role full of apt tasks that are already
// satisfied costs no exec of its own; apt-plan.ts decides, purely, what Ansible's module
// would run, and this file runs it in Ansible's order (clean, cache update, upgrade, deb,
// `*` upgrade, autoclean/autoremove, install or remove), with its messages and return
// values. After a cache update the host is asked again, since candidates may have moved.
// Check mode runs apt-get --simulate as Ansible does. Not done: `deb` URLs (fetched with
// Ansible's fetch_file) and python-apt's exact FetchFailedException wording.
//
//   - ansible.builtin.apt:
//       name: [nginx, "openssl=3.0.*"]
//       state: present
//       update_cache: true
//       cache_valid_time: 3600
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, listArg } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { APT_ENV, aptProbe, parseAptProbe, type AptFacts, type AptQuery } from './apt-facts.js';
import {
  CLEAN_CHANGED,
  DEFAULT_DPKG_OPTIONS,
  cleanupCommand,
  dpkgInstallCommand,
  hasWildcard,
  installChanged,
  installCommand,
  parseDiff,
  planDebs,
  planInstall,
  planRemove,
  removeCommand,
  splitSpec,
  upgradeChanged,
  upgradeCommand,
  type AptCommand,
  type AptOptions,
} from './apt-plan.js';
import { splitLines } from './command-runner.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['absent', 'build-dep', 'fixed', 'latest', 'present'], default: 'present' },
    update_cache: { type: 'boolean' },
    update_cache_retries: { type: 'integer', default: 5 },
    update_cache_retry_max_delay: { type: 'integer', default: 12 },
    cache_valid_time: { type: 'integer', default: 0 },
    purge: { type: 'boolean', default: false },
    package: { type: 'array', items: { type: 'string' } },
    deb: { type: 'string' },
    default_release: { type: 'string' },
    install_recommends: { type: 'boolean' },
    force: { type: 'boolean', default: false },
    upgrade: { type: 'string', enum: ['dist', 'full', 'no', 'safe', 'yes'], default: 'no' },
    dpkg_options: { type: 'string', default: DEFAULT_DPKG_OPTIONS },
    autoremove: { type: 'boolean', default: false },
    autoclean: { type: 'boolean', default: false },
    fail_on_autoremove: { type: 'boolean', default: false },
    policy_rc_d: { type: 'integer' },
    only_upgrade: { type: 'boolean', default: false },
    force_apt_get: { type: 'boolean', default: false },
    clean: { type: 'boolean', default: false },
    allow_unauthenticated: { type: 'boolean', default: false },
    allow_downgrade: { type: 'boolean', default: false },
    allow_change_held_packages: { type: 'boolean', default: false },
    lock_timeout: { type: 'integer', default: 60 },
  },
  additionalProperties: false,
} as const;

export type AptArgs = FromSchema<typeof schema>;

/** Adds Ansible's stdout_lines/stderr_lines next to stdout/stderr, as its action base does. */
function withLines(r: ModuleResult): ModuleResult {
  if (typeof r.stdout === 'string' && r.stdout_lines === undefined) r.stdout_lines = splitLines(r.stdout);
  if (typeof r.stderr === 'string' && r.stderr_lines === undefined) r.stderr_lines = splitLines(r.stderr);
  return r;
}

export function options(a: AptArgs): AptOptions {
  return {
    state: a.state ?? 'present',
    purge: !!a.purge,
    force: !!a.force,
    autoremove: !!a.autoremove,
    fail_on_autoremove: !!a.fail_on_autoremove,
    only_upgrade: !!a.only_upgrade,
    allow_unauthenticated: !!a.allow_unauthenticated,
    allow_downgrade: !!a.allow_downgrade,
    allow_change_held_packages: !!a.allow_change_held_packages,
    install_recommends: a.install_recommends,
    default_release: a.default_release,
    dpkg_options: a.dpkg_options ?? DEFAULT_DPKG_OPTIONS,
    force_apt_get: !!a.force_apt_get,
  };
}

/** The requested specs (Ansible strips them and sets `*` apart). */
function specsOf(a: AptArgs): { specs: string[]; all: boolean } {
  const raw = a.package ?? [];
  return { specs: raw.filter((p) => p !== '*').map((p) => p.trim()), all: raw.includes('*') };
}

/** The probe for these arguments: also the module's guard, so it joins the batched probe. */
export function aptQuery(a: AptArgs): AptQuery {
  const o = options(a);
  const { specs } = specsOf(a);
  const names = specs.map((s) => splitSpec(s).name);
  for (const n of names) if (!/^[A-Za-z0-9.+\-_*?[\]!:]+$/.test(n)) throw new ModuleFailure(`invalid package spec: ${n}`);
  const q: AptQuery = {
    names: names.filter((n) => !hasWildcard(n)),
    patterns: names.filter(hasWildcard),
    debs: a.deb ? a.deb.split(',') : [],
    install: o.state !== 'absent',
    defaultRelease: a.default_release,
  };
  // Without aptitude (or with force_apt_get) the upgrade and cleanup runs are apt-get's,
  // whose --simulate output says whether the real run would change anything.
  const noFacts = { aptGetPath: 'apt-get', aptitudePath: '' } as AptFacts;
  const mode = a.upgrade && a.upgrade !== 'no' ? a.upgrade : specsOf(a).all && o.state === 'latest' ? 'yes' : undefined;
  if (mode) q.simulate = { tool: 'apt-get', argv: upgradeCommand(mode, o, noFacts, true).argv.slice(1) };
  else if (!specs.length && !a.deb && (a.autoclean || a.autoremove)) q.simulate = { tool: 'apt-get', argv: cleanupCommand(a.autoclean ? 'autoclean' : 'autoremove', o, noFacts, true).argv.slice(1) };
  return q;
}

interface Runner {
  ctx: RunContext;
  args: AptArgs;
  o: AptOptions;
  facts: AptFacts;
}

/** Runs an apt/dpkg argv with Ansible's apt environment (and policy-rc.d when asked). */
async function execApt(r: Runner, argv: string[]): Promise<ExecResult> {
  // apt-get waits for the dpkg lock as python-apt's retries did (lock_timeout); not in the text
  const lock = argv[0].endsWith('apt-get') ? ['-o', `DPkg::Lock::Timeout=${r.args.lock_timeout ?? 60}`] : [];
  const line = `${APT_ENV} ${quoteArgv([argv[0], ...lock, ...argv.slice(1)])}`;
  const rc = r.args.policy_rc_d;
  if (rc === undefined) return r.ctx.exec(`${SBIN_PATH} && ${line}`);
  const p = '/usr/sbin/policy-rc.d';
  return r.ctx.exec(
    `${SBIN_PATH}; if [ -e ${p} ]; then mv ${p} ${p}.ansible-backup; fi; printf '#!/bin/sh\\nexit %d\\n' ${rc} > ${p} && chmod 0755 ${p}; ${line}; rc=$?; rm -f ${p}; if [ -e ${p}.ansible-backup ]; then mv ${p}.ansible-backup ${p}; fi; exit $rc`,
  );
}

async function probe(r: Pick<Runner, 'ctx' | 'args'>, fromBatch: boolean): Promise<AptFacts> {
  const q = aptQuery(r.args);
  const script = aptProbe(q);
  const out = (fromBatch ? await r.ctx.batchedGuard?.(script) : undefined) ?? (await r.ctx.exec(script));
  const facts = parseAptProbe(out, q);
  if (!facts.have['apt-get'] || !facts.have['dpkg-query']) throw new ModuleFailure(`apt: apt-get and dpkg-query are needed on ${r.ctx.host} (not found in PATH)`);
  return facts;
}

/** apt's diff is `{prepared: text}` (or `{}` without --diff), which the reporters print as it is. */
const asDiff = (d: unknown) => d as ModuleResult['diff'];
const diffOf = (r: Runner, out: string) => asDiff(r.ctx.diff ? parseDiff(out) : {});

async function upgrade(r: Runner, mode: string): Promise<ModuleResult> {
  const c = upgradeCommand(mode, r.o, r.facts, r.ctx.check);
  const sim = !c.aptitude ? r.facts.simulation : undefined;
  let res: { rc: number; stdout: string; stderr: string };
  if (sim && (r.ctx.check || !upgradeChanged(c, sim.out))) res = { rc: sim.rc, stdout: sim.out, stderr: '' };
  else res = await execApt(r, c.argv);
  if (res.rc !== 0) throw new ModuleFailure(`'${c.tool} ${c.verb}' failed: ${res.stderr}`, { stdout: res.stdout, rc: res.rc });
  if (!upgradeChanged(c, res.stdout)) return { changed: false, msg: res.stdout, stdout: res.stdout, stderr: res.stderr };
  return { changed: true, msg: res.stdout, stdout: res.stdout, stderr: res.stderr, diff: diffOf(r, res.stdout) };
}

async function cleanup(r: Runner, op: 'autoremove' | 'autoclean'): Promise<ModuleResult> {
  const c = cleanupCommand(op, r.o, r.facts, r.ctx.check);
  const sim = r.facts.simulation;
  let res: { rc: number; stdout: string; stderr: string };
  if (sim && (r.ctx.check || !sim.out.includes(CLEAN_CHANGED[op]))) res = { rc: sim.rc, stdout: sim.out, stderr: '' };
  else res = await execApt(r, c.argv);
  if (res.rc !== 0) throw new ModuleFailure(`'apt-get ${op}' failed: ${res.stderr}`, { stdout: res.stdout, stderr: res.stderr, rc: res.rc });
  return { changed: res.stdout.includes(CLEAN_CHANGED[op]), stdout: res.stdout, stderr: res.stderr, diff: diffOf(r, res.stdout) };
}

/** Ansible's install(); `cache` fields join its result either way. */
async function install(r: Runner, specs: string[], cache: Record<string, unknown>): Promise<ModuleResult> {
  const plan = planInstall(specs, r.o, r.facts);
  if (plan.failure) throw new ModuleFailure(plan.failure, cache);
  let result: ModuleResult = { changed: false };
  if (plan.packages.length) {
    const c = installCommand(plan.packages, r.o, r.facts, r.ctx.check);
    const res = await execApt(r, c.argv);
    if (res.rc !== 0) throw new ModuleFailure(`'${c.text}' failed: ${res.stderr}`, { stdout: res.stdout, stderr: res.stderr, rc: res.rc, ...cache });
    result = { changed: installChanged(r.o, res.stdout), stdout: res.stdout, stderr: res.stderr, diff: diffOf(r, res.stdout) };
  }
  if (!r.ctx.check && plan.markManual.length) {
    const c: AptCommand = { text: `/usr/bin/apt-mark manual ${plan.markManual.join(' ')}`, argv: ['apt-mark', 'manual', ...plan.markManual] };
    const res = await r.ctx.exec(`${SBIN_PATH} && ${quoteArgv(c.argv)}`);
    if (res.rc !== 0) throw new ModuleFailure(`'${c.text}' failed: ${res.stderr}`, { stdout: res.stdout, stderr: res.stderr, rc: res.rc });
  }
  return { ...result, ...cache };
}

async function remove(r: Runner, specs: string[]): Promise<ModuleResult> {
  const packages = planRemove(specs, r.o, r.facts);
  if (!packages.length) return { changed: false };
  const c = removeCommand(packages, r.o, r.facts, r.ctx.check);
  const res = await execApt(r, c.argv);
  if (res.rc !== 0) throw new ModuleFailure(`'apt-get remove ${packages.map((p) => `'${p}'`).join(' ')}' failed: ${res.stderr}`, { stdout: res.stdout, stderr: res.stderr, rc: res.rc });
  return { changed: true, stdout: res.stdout, stderr: res.stderr, diff: diffOf(r, res.stdout) };
}

async function installDebs(r: Runner): Promise<ModuleResult> {
  const plan = planDebs(r.facts.debs, r.o, r.facts);
  let deps: ModuleResult = {};
  if (plan.deps.length) deps = await install({ ...r, o: { ...r.o, state: 'present', force: false, only_upgrade: false, autoremove: false } }, plan.deps, {});
  if (!plan.files.length) return { changed: !!deps.changed, stdout: deps.stdout ?? '', stderr: deps.stderr ?? '', diff: deps.diff ?? asDiff('') };
  const c = dpkgInstallCommand(plan.files, r.o, r.ctx.check);
  const res = await execApt(r, c.argv);
  const stdout = String(deps.stdout ?? '') + res.stdout;
  const stderr = String(deps.stderr ?? '') + res.stderr;
  if (res.rc !== 0) throw new ModuleFailure(`${c.text} failed`, { stdout, stderr });
  const prior = deps.diff as { prepared?: string } | undefined;
  const diff: unknown = prior ? (prior.prepared !== undefined ? { prepared: `${prior.prepared}\n\n${res.stdout}` } : prior) : parseDiff(res.stdout);
  return { changed: true, stdout, stderr, diff: asDiff(diff) };
}

/** apt-get update with Ansible's retries and backoff; the lists' new mtime. */
async function updateCache(r: Runner): Promise<number> {
  const retries = r.args.update_cache_retries ?? 5;
  const maxDelay = r.args.update_cache_retry_max_delay ?? 12;
  const jitter = Math.floor(Math.random() * 1001) / 1000;
  let err = '';
  for (let i = 0; i < retries; i++) {
    const res = await execApt(r, ['apt-get', 'update', '-q']);
    if (res.rc === 0) {
      const again = await probe(r, false);
      r.facts = again;
      return again.cacheMtime;
    }
    err = splitLines(res.stderr)
      .filter((l) => /^[EW]: /.test(l))
      .map((l) => l.replace(/^([EW]): /, '$1:'))
      .join(', ');
    const delay = 2 ** i + jitter;
    await r.ctx.sleep(1000 * (delay > maxDelay ? maxDelay + jitter : delay));
  }
  throw new ModuleFailure(`Failed to update apt cache: ${err || 'unknown reason'}`);
}

/** Ansible's fetch_file for a `deb` URL: downloaded on the host (curl or wget) into a temporary directory. */
async function fetchDebs(args: AptArgs, ctx: RunContext): Promise<AptArgs> {
  if (!args.deb?.includes('://')) return args;
  const url = args.deb;
  const name = url.split('?')[0].split('/').pop() || 'package.deb';
  const script = `d=$(mktemp -d) && f="$d"/${quote(name)} && { if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$f" ${quote(url)}; else wget -q -O "$f" ${quote(url)}; fi; } && printf '%s\\n' "$f"`;
  const res = await ctx.exec(script);
  if (res.rc !== 0) throw new ModuleFailure(`Failure downloading ${url}, ${res.stderr.trim() || `rc=${res.rc}`}`);
  return { ...args, deb: res.stdout.trim() };
}

async function runApt(given: AptArgs, ctx: RunContext): Promise<ModuleResult> {
  const args = await fetchDebs(given, ctx);
  const o = options(args);
  const { specs, all } = specsOf(args);
  const upgradeMode = args.upgrade && args.upgrade !== 'no' ? args.upgrade : undefined;
  const nothingElse = !specs.length && !all && !upgradeMode && !args.deb;
  if (args.clean) {
    const res = await ctx.exec(`${SBIN_PATH} && ${APT_ENV} apt-get clean`);
    if (res.rc !== 0) throw new ModuleFailure('apt-get clean failed', { stdout: res.stdout, rc: res.rc });
    if (res.stderr) throw new ModuleFailure(`apt-get clean failed: ${res.stderr}`, { stdout: res.stdout, rc: res.rc });
    // Ansible's early exit here tests `not p['upgrade']`, but upgrade defaults to 'no' (a
    // true string): a clean-only task goes on to an empty install, changed=false
    if (nothingElse && args.upgrade === undefined) return { changed: true, msg: res.stdout, stdout: res.stdout, stderr: res.stderr };
  }
  const r: Runner = { ctx, args, o, facts: await probe({ ctx, args }, true) };
  let cacheUpdated = false;
  let cacheTime = r.facts.cacheMtime;
  if (args.update_cache || args.cache_valid_time) {
    // Ansible compares float times (mtime + valid >= now means fresh); with whole seconds an
    // equal pair is almost surely a list older than now, so it counts as stale
    if (r.facts.cacheMtime + (args.cache_valid_time ?? 0) <= r.facts.now) {
      if (!ctx.check) {
        const after = await updateCache(r);
        cacheUpdated = after !== cacheTime;
        cacheTime = after;
      } else cacheUpdated = true;
    }
    if (nothingElse && !all) return { changed: cacheUpdated, cache_updated: cacheUpdated, cache_update_time: cacheTime };
  }
  if (upgradeMode) return upgrade(r, upgradeMode);
  if (args.deb) {
    if (o.state !== 'present') throw new ModuleFailure('deb only supports state=present');
    return installDebs(r);
  }
  if (o.state === 'latest' && all) {
    if (specs.length) throw new ModuleFailure('unable to install additional packages when upgrading all installed packages');
    return upgrade(r, 'yes');
  }
  for (const p of specs) if ((p.match(/=/g) ?? []).length > 1) throw new ModuleFailure(`invalid package spec: ${p}`);
  if (!specs.length) {
    if (args.autoclean) return cleanup(r, 'autoclean');
    if (args.autoremove) return cleanup(r, 'autoremove');
  }
  if (o.state === 'absent') return remove(r, specs);
  return install(r, specs, { cache_updated: cacheUpdated, cache_update_time: cacheTime });
}

/** `name: a,b` as a list, as Ansible's list type reads it. */
function normalise(args: AptArgs): AptArgs {
  return { ...args, package: args.package === undefined ? undefined : listArg(args.package) };
}

export const aptModule = defineModule<AptArgs>({
  name: 'apt',
  summary: 'Manage apt packages (dpkg-query, apt-cache and apt-get; no python-apt)',
  schema,
  argAliases: {
    pkg: 'package',
    name: 'package',
    'update-cache': 'update_cache',
    'default-release': 'default_release',
    'install-recommends': 'install_recommends',
    'allow-unauthenticated': 'allow_unauthenticated',
    'allow-downgrade': 'allow_downgrade',
    allow_downgrades: 'allow_downgrade',
    'allow-downgrades': 'allow_downgrade',
  },
  constraints: {
    mutually_exclusive: [['deb', 'package', 'upgrade']],
    required_one_of: [['autoremove', 'deb', 'package', 'update_cache', 'upgrade']],
  },
  checkMode: 'run',
  guard: (args) => {
    if (args.deb?.includes('://')) return undefined;
    try {
      return aptProbe(aptQuery(normalise(args)));
    } catch {
      return undefined;
    }
  },
  run: async (args, ctx) => {
    try {
      return withLines(await runApt(normalise(args), ctx));
    } catch (e) {
      if (e instanceof ModuleFailure) throw new ModuleFailure(e.message, withLines({ ...e.fields }));
      throw e;
    }
  },
});

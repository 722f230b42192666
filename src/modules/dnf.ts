// ansible.builtin.dnf on shell alone: rpm and the dnf command line instead of dnf's Python
// bindings. One probe (dnf-facts.ts) answers what a run needs and joins the batched probe
// as this module's guard, so a role's dnf tasks that are already satisfied cost no exec of
// their own; dnf-plan.ts decides, purely, what to install, upgrade, downgrade or remove and
// this file runs it with dnf, with Ansible's messages and return values (results, msg, rc,
// failures, the releasever warning). Not done, each failing clearly: groups, environments
// and modules (`@name`), URLs, local .rpm files and `/path` provides, `list`, installroot.
//
//   - ansible.builtin.dnf:
//       name: [httpd, "mod_ssl-2.4.57"]
//       state: present
//       enablerepo: [updates-testing]
//       install_weak_deps: false
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, listArg } from '../facts/system-probe.js';
import { quoteArgv } from '../transport/quote.js';
import { dnfProbe, parseDnfProbe, type DnfFacts, type DnfQuery } from './dnf-facts.js';
import { planChanges, planDnf, type DnfOptions, type DnfPlan } from './dnf-plan.js';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const bool = (d: boolean) => ({ type: 'boolean', default: d }) as const;
const list = { type: 'array', items: { type: 'string' }, default: [] } as const;

const schema = {
  type: 'object',
  properties: {
    name: list,
    state: { type: 'string', enum: ['absent', 'installed', 'latest', 'present', 'removed'] },
    allow_downgrade: bool(false),
    autoremove: bool(false),
    bugfix: bool(false),
    cacheonly: bool(false),
    conf_file: { type: 'string' },
    disable_excludes: { type: 'string' },
    disable_gpg_check: bool(false),
    disable_plugin: list,
    disablerepo: list,
    download_only: bool(false),
    download_dir: { type: 'string' },
    enable_plugin: list,
    enablerepo: list,
    exclude: list,
    installroot: { type: 'string', default: '/' },
    install_repoquery: bool(true),
    install_weak_deps: bool(true),
    list: { type: 'string' },
    releasever: { type: 'string' },
    security: bool(false),
    skip_broken: bool(false),
    update_cache: bool(false),
    update_only: bool(false),
    validate_certs: bool(true),
    sslverify: bool(true),
    lock_timeout: { type: 'integer', default: 30 },
    allowerasing: bool(false),
    nobest: bool(false),
  },
  additionalProperties: false,
} as const;

export type DnfArgs = FromSchema<typeof schema>;

const RELEASEVER_WARNING = 'Unable to detect release version (use "releasever" option to specify release version)';

/** Ansible's listify_comma_sep_strings_in_list: comma strings split, appended after the rest. */
function listify(values: readonly string[] | undefined): string[] {
  const plain = (values ?? []).filter((v) => !v.includes(','));
  const split = (values ?? []).filter((v) => v.includes(',')).flatMap((v) => listArg(v.split(',').map((e) => e.trim())));
  const out = [...plain, ...split];
  return out.length === 1 && out[0] === '' ? [] : out;
}

interface Request {
  names: string[];
  o: DnfOptions;
  query: DnfQuery;
  /** Options every dnf command gets. */
  common: string[];
  args: DnfArgs;
}

/** The task as dnf will do it; Ansible's own early failures, and what rackplay does not do. */
export function dnfRequest(a: DnfArgs): Request {
  const names = listify((a.name ?? []).map((n) => n.trim()));
  for (const n of names) {
    if (n.includes(' ') && !['@', '>', '<', '='].some((c) => n.includes(c))) {
      throw new ModuleFailure('It appears that a space separated string of packages was passed in as an argument. To operate on several packages, pass a comma separated string of packages or a list of packages.');
    }
  }
  const autoremove = !!a.autoremove;
  const given = a.state ?? (autoremove ? 'absent' : 'present');
  const state = given === 'installed' ? 'present' : given === 'removed' ? 'absent' : given;
  if (autoremove && state !== 'absent') throw new ModuleFailure('Autoremove should be used alone or with state=absent', { results: [] });
  if (a.list !== undefined) throw new ModuleFailure("dnf: `list` is not supported by rackplay's dnf (use `dnf list` or `rpm -q` through command)", { results: [] });
  if ((a.installroot ?? '/') !== '/') throw new ModuleFailure(`dnf: installroot other than / (${a.installroot}) is not supported by rackplay's dnf`, { results: [] });
  for (const n of names) {
    const why = n.startsWith('@') ? 'groups, environments and modules' : n.includes('://') ? 'URLs' : n.endsWith('.rpm') ? 'local .rpm files' : n.startsWith('/') || n.includes('/') ? 'file paths' : undefined;
    if (why) throw new ModuleFailure(`dnf: ${why} (${n}) are not supported by rackplay's dnf`, { results: [] });
  }
  const common: string[] = [];
  if (a.conf_file) common.push(`--config=${a.conf_file}`);
  for (const r of listify(a.disablerepo)) if (r) common.push(`--disablerepo=${r}`);
  for (const r of listify(a.enablerepo)) if (r) common.push(`--enablerepo=${r}`);
  for (const x of listify(a.exclude)) common.push(`--exclude=${x}`);
  if (a.disable_excludes) common.push(`--disableexcludes=${a.disable_excludes}`);
  for (const p of a.disable_plugin ?? []) common.push(`--disableplugin=${p}`);
  for (const p of a.enable_plugin ?? []) common.push(`--enableplugin=${p}`);
  if (a.releasever !== undefined) common.push(`--releasever=${a.releasever}`);
  if (a.disable_gpg_check) common.push('--nogpgcheck');
  if (a.sslverify === false || a.validate_certs === false) common.push('--setopt=sslverify=False');
  if (a.cacheonly) common.push('--cacheonly');
  if (a.skip_broken) common.push('--setopt=strict=False');
  if (a.nobest) common.push('--nobest');
  // Ansible sets both on dnf's configuration whatever their value (dnf's own default
  // for clean_requirements_on_remove is true, the module's autoremove default false)
  common.push(`--setopt=install_weak_deps=${a.install_weak_deps === false ? 'False' : 'True'}`);
  common.push(`--setopt=clean_requirements_on_remove=${autoremove ? 'True' : 'False'}`);
  const o: DnfOptions = { state, allowDowngrade: !!a.allow_downgrade, updateOnly: !!a.update_only, autoremove, downloadOnly: !!a.download_only };
  const all = names.length === 1 && names[0] === '*' && state === 'latest';
  const query: DnfQuery = {
    specs: names,
    wantAvailable: state === 'absent' ? 'never' : state === 'latest' ? 'always' : 'if-missing',
    dnfOptions: common,
    refresh: !!a.update_cache,
    unneeded: autoremove && state === 'absent',
    confFile: a.conf_file,
  };
  if (all) query.upgradesOnly = true;
  return { names, o, query, common, args: a };
}

function dnfCommands(r: Request, plan: DnfPlan): string {
  const a = r.args;
  const extra = [...(a.allowerasing ? ['--allowerasing'] : []), ...(a.download_only ? ['--downloadonly', ...(a.download_dir ? [`--downloaddir=${a.download_dir}`] : [])] : [])];
  const filters = [...(a.security ? ['--security'] : []), ...(a.bugfix ? ['--bugfix'] : [])];
  const cmds: string[] = [];
  const dnf = (verb: string, more: string[], specs: string[]) => cmds.push(`dnf -y ${quoteArgv([...r.common, ...extra, ...more, verb, '--', ...specs])}`);
  if (plan.install.length) dnf('install', [], plan.install);
  if (plan.upgrade.length) dnf('upgrade', filters, plan.upgrade);
  if (plan.downgrade.length) dnf('downgrade', [], plan.downgrade);
  if (plan.remove.length) dnf('remove', [], plan.remove);
  if (plan.autoremove) cmds.push(`dnf -y ${quoteArgv([...r.common, 'autoremove'])}`);
  return `${SBIN_PATH} && ${cmds.join(' && ')}`;
}

async function runDnf(args: DnfArgs, ctx: RunContext): Promise<ModuleResult> {
  const r = dnfRequest(args);
  const script = dnfProbe(r.query);
  const out = (await ctx.batchedGuard?.(script)) ?? (await ctx.exec(script));
  const facts: DnfFacts = parseDnfProbe(out);
  if (!facts.have.dnf || !facts.have.rpm) {
    const missing = ['dnf', 'rpm'].filter((t) => !facts.have[t as 'dnf' | 'rpm']).join(' and ');
    throw new ModuleFailure(`dnf: ${missing} not found on ${ctx.host} (the dnf module needs the dnf command line and rpm)`, { results: [] });
  }
  const warnings = args.releasever === undefined && !facts.releasever ? [RELEASEVER_WARNING] : [];
  const fail = (msg: string, fields: Record<string, unknown> = {}) => new ModuleFailure(msg, { results: [], ...fields, ...(warnings.length ? { warnings } : {}) });
  if (args.conf_file && !facts.confReadable) throw fail('cannot read configuration file', { conf_file: args.conf_file });
  if (!args.download_only && facts.uid !== 0 && !(args.update_cache && !r.names.length)) throw fail('This command has to be run under the root user.');
  if (facts.repoError !== undefined) throw fail(`Failed to synchronize repodata: ${facts.repoError}`, { rc: 1, changed: false });
  const base = (extra: ModuleResult): ModuleResult => ({ ...extra, ...(warnings.length ? { warnings } : {}) });
  if (args.update_cache && !r.names.length) return base({ msg: 'Cache updated', changed: false, results: [], rc: 0 });
  const plan = planDnf(r.names, r.o, facts);
  if (plan.failures.length) throw fail('Failed to install some of the specified packages', { failures: plan.failures, rc: 1 });
  if (!planChanges(plan)) return base({ msg: 'Nothing to do', changed: false, results: plan.results, rc: 0 });
  if (ctx.check) return base({ msg: 'Check mode: No changes made, but would have if not in check mode', changed: true, results: plan.results, rc: 0 });
  const res = await ctx.exec(dnfCommands(r, plan));
  if (res.rc !== 0) {
    const failures = [res.stderr.trim() || res.stdout.trim()].filter(Boolean);
    throw fail('Failed to install some of the specified packages', { failures, rc: 1 });
  }
  return base({ msg: '', changed: true, results: plan.results, rc: 0 });
}

export const dnfModule = defineModule<DnfArgs>({
  name: 'dnf',
  summary: 'Manage packages with dnf (rpm and the dnf command line; no Python dnf bindings)',
  schema,
  argAliases: { pkg: 'name', 'expire-cache': 'update_cache' },
  constraints: { required_one_of: [['name', 'list', 'update_cache']], mutually_exclusive: [['name', 'list']] },
  checkMode: 'run',
  guard: (args) => {
    try {
      return dnfProbe(dnfRequest(args).query);
    } catch {
      return undefined;
    }
  },
  run: runDnf,
});

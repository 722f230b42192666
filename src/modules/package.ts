// ansible.builtin.package and ansible.builtin.yum: two front ends, one implementation
// (package-manager.ts). package picks the manager from `use`, the ansible_pkg_mgr fact or
// what the host has (yum, apt-get over rpm as on SL4 with apt-rpm, apt-get over dpkg);
// yum always speaks yum. When the manager is known to be Debian's apt before probing
// (`use: apt` or the fact), package plans as the apt module does (apt-plan.ts: versions,
// virtual names, wildcards, its apt-get command lines and cache fields), as Ansible's
// package action hands the task to apt.
//
//   - ansible.builtin.yum:
//       name: httpd,mod_ssl
//       state: latest
//       enablerepo: sl-security
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH } from '../facts/system-probe.js';
import { quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { APT_ENV, aptProbe, parseAptProbe, type AptFacts } from './apt-facts.js';
import { installCommand, planInstall, planRemove, removeCommand } from './apt-plan.js';
import { aptQuery, options, type AptArgs } from './apt.js';
import {
  NAME_LIST,
  PACKAGE_STATES,
  YUM_SCHEMA,
  chooseMgr,
  packageProbe,
  packageRequest,
  parsePackageProbe,
  planPackage,
  type PackageFacts,
  type PackageRequest,
  type YumArgs,
} from './package-manager.js';
import { ModuleFailure, defineModule, type Plan, type Step } from './types.js';

const packageSchema = {
  type: 'object',
  properties: {
    name: NAME_LIST,
    // documented as required, but Ansible's action plugin hands the task to the package
    // manager's own module, whose state defaults to present: `package: name=x` installs
    state: { type: 'string', enum: PACKAGE_STATES, default: 'present' },
    use: { type: 'string', enum: ['auto', 'yum', 'apt_rpm', 'apt', 'dnf'], default: 'auto' },
  },
  required: ['name'],
  // Ansible's package action validates nothing itself: the manager's module it hands the
  // task to does (handsTo); what stays here is package's own arguments
  additionalProperties: true,
} as const;

const OWN_ARGS = new Set(['name', 'pkg', 'state', 'use']);

type PackageModuleArgs = FromSchema<typeof packageSchema>;

type Request = { apt: AptArgs } | { generic: PackageRequest };
type Facts = { apt: AptFacts } | { generic: PackageFacts };

/** The apt module's plan for package's names and state (installed/removed read as present/absent). */
function planAsApt(args: AptArgs, facts: AptFacts): Plan {
  const o = options(args);
  const specs = args.package ?? [];
  const run = (argv: string[]): Step => ({ kind: 'exec', cmd: `${SBIN_PATH} && ${APT_ENV} ${quoteArgv(argv)}` });
  if (o.state === 'absent') {
    const packages = planRemove(specs, o, facts);
    return { steps: packages.length ? [run(removeCommand(packages, o, facts, false).argv)] : [] };
  }
  const cache = { cache_updated: false, cache_update_time: facts.cacheMtime };
  const plan = planInstall(specs, o, facts);
  if (plan.failure) throw new ModuleFailure(plan.failure, cache);
  const steps: Step[] = [];
  if (plan.packages.length) steps.push(run(installCommand(plan.packages, o, facts, false).argv));
  if (plan.markManual.length) steps.push(run(['apt-mark', 'manual', ...plan.markManual]));
  return { steps, result: cache };
}

export const packageModule = defineModule<PackageModuleArgs, Request, Facts>({
  name: 'package',
  summary: 'Install or remove packages with the host\'s package manager (yum, apt-rpm, apt)',
  schema: packageSchema,
  argAliases: { pkg: 'name' },
  checkMode: 'plan',
  // Arguments of the manager's own module (apt's update_cache, cache_valid_time...): the
  // task is that module's, as in Ansible. Without such arguments package plans the same
  // thing itself (as apt, below), one probe in the batch.
  handsTo: (args, vars) => {
    if (Object.keys(args).every((k) => OWN_ARGS.has(k))) return undefined;
    const use = typeof args.use === 'string' && args.use !== 'auto' && !args.use.includes('{{') ? args.use : undefined;
    const facts = vars.ansible_facts as Record<string, unknown> | undefined;
    const mgr = use ?? vars.ansible_pkg_mgr ?? facts?.pkg_mgr;
    if (typeof mgr !== 'string' || mgr === 'unknown') return undefined;
    const { use: _use, ...rest } = args;
    return { module: mgr, args: rest };
  },
  prepare: ({ use, ...args }, ctx): Request => {
    const mgr = chooseMgr(use === 'dnf' ? 'yum' : use, ctx.vars.ansible_pkg_mgr);
    const state = args.state === 'installed' ? 'present' : args.state === 'removed' ? 'absent' : args.state;
    // the rest of apt's arguments take their defaults (options() reads them so)
    if (mgr === 'apt') return { apt: { package: packageRequest(args, mgr).args.name, state } as AptArgs };
    return { generic: packageRequest(args, mgr) };
  },
  probe: (req) => ('apt' in req ? aptProbe(aptQuery(req.apt)) : packageProbe(req.generic)),
  parse: (out: ExecResult, req) => ('apt' in req ? { apt: parseAptProbe(out, aptQuery(req.apt)) } : { generic: parsePackageProbe(out, req.generic) }),
  plan: (req, facts, ctx) => ('apt' in req && 'apt' in facts ? planAsApt(req.apt, facts.apt) : planPackage((req as { generic: PackageRequest }).generic, (facts as { generic: PackageFacts }).generic, ctx)),
});

export const yumModule = defineModule<YumArgs, PackageRequest, PackageFacts>({
  name: 'yum',
  summary: 'Install, update or remove rpm packages with yum',
  schema: YUM_SCHEMA,
  argAliases: { pkg: 'name' },
  checkMode: 'plan',
  prepare: (args) => packageRequest(args, 'yum'),
  probe: packageProbe,
  parse: parsePackageProbe,
  plan: planPackage,
});

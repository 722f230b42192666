// ansible.builtin.yum_repository: one repository section in /etc/yum.repos.d/FILE.repo,
// written as Ansible's module writes it (Python's configparser: the section replaced whole,
// its keys sorted, booleans as 0/1, baseurl/gpgkey lists on continuation lines); the file
// is removed with its last section. Changed when the sorted dump of the file's sections
// differs, as in Ansible, so a file Ansible wrote is left alone.
//
//   - ansible.builtin.yum_repository:
//       name: xen
//       description: Xen 3.0.4 build dependencies
//       baseurl: http://mirror.example.org/sl44/xen/
//       gpgcheck: false
import type { FromSchema } from 'json-schema-to-ts';
import { parseFileProbe, probeFile, probeScript, type FileFacts } from '../facts/file-probe.js';
import { COMMON_FILE_ARGS, codecFor, joinPath, makeBackupStamp } from './file-common.js';
import { planEditedFile } from './file-edit.js';
import { ConfigParseError, parseConfig, writeConfig, type IniSections } from './python-configparser.js';
import { quote } from '../transport/quote.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext } from './types.js';

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const list = { type: 'array', items: { type: 'string' } } as const;

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    description: str,
    file: str,
    reposdir: { type: 'string', default: '/etc/yum.repos.d' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    async: bool,
    bandwidth: str,
    baseurl: list,
    cost: str,
    deltarpm_metadata_percentage: str,
    deltarpm_percentage: str,
    enabled: bool,
    enablegroups: bool,
    exclude: list,
    failovermethod: { type: 'string', enum: ['roundrobin', 'priority'] },
    gpgcakey: str,
    gpgcheck: bool,
    gpgkey: list,
    module_hotfixes: bool,
    http_caching: { type: 'string', enum: ['all', 'packages', 'none'] },
    include: str,
    includepkgs: list,
    ip_resolve: { type: 'string', enum: ['4', '6', 'IPv4', 'IPv6', 'whatever'] },
    keepalive: bool,
    keepcache: { type: 'string', enum: ['0', '1'] },
    metadata_expire: str,
    metadata_expire_filter: { type: 'string', enum: ['never', 'read-only:past', 'read-only:present', 'read-only:future'] },
    metalink: str,
    mirrorlist: str,
    mirrorlist_expire: str,
    params: { type: 'object' },
    password: str,
    priority: str,
    protect: bool,
    proxy: str,
    proxy_password: str,
    proxy_username: str,
    repo_gpgcheck: bool,
    retries: str,
    s3_enabled: bool,
    skip_if_unavailable: bool,
    sslcacert: str,
    ssl_check_cert_permissions: bool,
    sslclientcert: str,
    sslclientkey: str,
    sslverify: bool,
    throttle: str,
    timeout: str,
    ui_repoid_vars: str,
    username: str,
    ...COMMON_FILE_ARGS,
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type YumRepositoryArgs = FromSchema<typeof schema>;

/** The module's options that become keys of the section (name is the description). */
const REPO_KEYS = [
  'async', 'bandwidth', 'baseurl', 'cost', 'deltarpm_metadata_percentage', 'deltarpm_percentage', 'enabled', 'enablegroups',
  'exclude', 'failovermethod', 'gpgcakey', 'gpgcheck', 'gpgkey', 'module_hotfixes', 'http_caching', 'include', 'includepkgs',
  'ip_resolve', 'keepalive', 'keepcache', 'metadata_expire', 'metadata_expire_filter', 'metalink', 'mirrorlist',
  'mirrorlist_expire', 'password', 'priority', 'protect', 'proxy', 'proxy_password', 'proxy_username', 'repo_gpgcheck',
  'retries', 's3_enabled', 'skip_if_unavailable', 'sslcacert', 'ssl_check_cert_permissions', 'sslclientcert', 'sslclientkey',
  'sslverify', 'throttle', 'timeout', 'ui_repoid_vars', 'username',
] as const;

export interface RepoFacts {
  dir: FileFacts;
  file: FileFacts;
}

const destOf = (a: YumRepositoryArgs) => joinPath(a.reposdir ?? '/etc/yum.repos.d', `${a.file ?? a.name}.repo`);

/** The section the module writes: its keys sorted, as `sorted(params.items())` sets them. */
export function repoSection(a: YumRepositoryArgs): Map<string, string> {
  const values: Record<string, string> = { name: a.description! };
  for (const key of REPO_KEYS) {
    const v = (a as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    if (key === 'baseurl' || key === 'gpgkey') values[key] = (v as string[]).join('\n');
    else if (Array.isArray(v)) values[key] = v.join(' ');
    else if (typeof v === 'boolean') values[key] = v ? '1' : '0';
    else values[key] = String(v);
  }
  return new Map(Object.keys(values).sort().map((k) => [k, values[k]]));
}

/** YumRepo.dump: sections and keys sorted, for the diff and the change test. */
function dump(sections: IniSections): string {
  let out = '';
  for (const name of [...sections.keys()].sort()) {
    out += `[${name}]\n`;
    const opts = sections.get(name)!;
    for (const k of [...opts.keys()].sort()) out += `${k} = ${opts.get(k)}\n`;
    out += '\n';
  }
  return out;
}

export function planYumRepository(a: YumRepositoryArgs, facts: RepoFacts, ctx: PlanContext): Plan {
  if (a.params) throw new ModuleFailure("The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling");
  if (a.state === 'present') {
    if (a.baseurl === undefined && a.metalink === undefined && a.mirrorlist === undefined) throw new ModuleFailure("Parameter 'baseurl', 'metalink' or 'mirrorlist' is required.");
    if (a.description === undefined) throw new ModuleFailure("Parameter 'description' is required.");
  }
  const reposdir = a.reposdir ?? '/etc/yum.repos.d';
  if (!facts.dir.exists || facts.dir.type !== 'directory') throw new ModuleFailure(`Repo directory '${reposdir}' does not exist.`);
  const dest = destOf(a);
  let sections: IniSections = new Map();
  if (facts.file.exists && facts.file.type === 'file') {
    try {
      sections = parseConfig(codecFor(facts.file.content).decode(facts.file.content!));
    } catch (e) {
      if (e instanceof ConfigParseError) throw new ModuleFailure(e.message);
      throw e;
    }
  }
  const before = dump(sections);
  const after = new Map(sections);
  after.delete(a.name);
  if (a.state === 'present') after.set(a.name, repoSection(a));
  const afterDump = dump(after);
  const result = { repo: a.name, state: a.state };
  const edit = { args: { path: dest, backup: false, mode: a.mode, owner: a.owner, group: a.group }, stamp: makeBackupStamp() };
  if (before === afterDump) {
    if (!facts.file.exists) return { steps: [], result };
    return { ...planEditedFile(edit as never, facts.file, undefined, '', ctx, result), result };
  }
  const diff = ctx.diff ? { before, after: afterDump, before_header: dest, after_header: dest } : undefined;
  if (after.size === 0) return { steps: [{ kind: 'exec', cmd: `rm -f -- ${quote(dest)}` }], diff, result };
  const plan = planEditedFile(edit as never, facts.file, Buffer.from(writeConfig(after)), '', ctx, result);
  return { ...plan, diff, result };
}

export const yumRepositoryModule = defineModule<YumRepositoryArgs, YumRepositoryArgs, RepoFacts>({
  name: 'yum_repository',
  summary: 'Add or remove YUM repositories',
  checkMode: 'plan',
  argAliases: { ca_cert: 'sslcacert', client_cert: 'sslclientcert', client_key: 'sslclientkey', validate_certs: 'sslverify' },
  schema,
  prepare: (args) => args,
  probe: (a) => probeScript([probeFile('d', a.reposdir ?? '/etc/yum.repos.d'), probeFile('f', destOf(a), { contentMax: -1 })]),
  parse: (out) => {
    const r = parseFileProbe(out);
    const none = { exists: false, extra: {} } as FileFacts;
    return { dir: r.d ?? none, file: r.f ?? none };
  },
  plan: planYumRepository,
});

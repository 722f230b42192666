// ansible.builtin.package and ansible.builtin.yum: two front ends, one implementation
// (package-manager.ts). package picks the manager from `use`, the ansible_pkg_mgr fact or
// what the host has (yum, apt-get over rpm as on SL4 with apt-rpm, apt-get over dpkg);
// yum always speaks yum.
//
//   - ansible.builtin.yum:
//       name: httpd,mod_ssl
//       state: latest
//       enablerepo: sl-security
import { normalizeNames, packageProbe, parsePackageProbe, planPackage, chooseMgr, type PackageArgs, type PackageFacts } from './package-manager.js';
import type { JsonSchema, ModuleDef } from './types.js';

const nameList = { type: 'array', items: { type: 'string', pattern: '^[^-\\s]' } };
const strList = { type: 'array', items: { type: 'string' } };

const packageSchema: JsonSchema = {
  type: 'object',
  properties: {
    name: nameList,
    state: { type: 'string', enum: ['present', 'installed', 'absent', 'removed', 'latest'] },
    use: { type: 'string', enum: ['auto', 'yum', 'apt_rpm', 'apt', 'dnf'], default: 'auto' },
  },
  required: ['name', 'state'],
  additionalProperties: false,
};

const yumSchema: JsonSchema = {
  type: 'object',
  properties: {
    name: nameList,
    state: { type: 'string', enum: ['present', 'installed', 'absent', 'removed', 'latest'], default: 'present' },
    enablerepo: strList,
    disablerepo: strList,
    exclude: strList,
    disable_gpg_check: { type: 'boolean', default: false },
    conf_file: { type: 'string' },
  },
  required: ['name'],
  additionalProperties: false,
};

export const packageModule: ModuleDef<PackageArgs, PackageFacts> = {
  name: 'package',
  summary: 'Install or remove packages with the host\'s package manager (yum, apt-rpm, apt)',
  schema: packageSchema,
  argAliases: { pkg: 'name' },
  checkMode: 'plan',
  prepare: (args, ctx) => ({ ...normalizeNames(args), _mgr: chooseMgr(args.use === 'dnf' ? 'yum' : args.use, ctx.vars.ansible_pkg_mgr) }),
  probe: packageProbe,
  parse: parsePackageProbe,
  plan: planPackage,
};

export const yumModule: ModuleDef<PackageArgs, PackageFacts> = {
  name: 'yum',
  summary: 'Install, update or remove rpm packages with yum',
  schema: yumSchema,
  argAliases: { pkg: 'name' },
  checkMode: 'plan',
  prepare: (args) => ({ ...normalizeNames(args), _mgr: 'yum' }),
  probe: packageProbe,
  parse: parsePackageProbe,
  plan: planPackage,
};

// ansible.builtin.package and ansible.builtin.yum: two front ends, one implementation
// (package-manager.ts). package picks the manager from `use`, the ansible_pkg_mgr fact or
// what the host has (yum, apt-get over rpm as on SL4 with apt-rpm, apt-get over dpkg);
// yum always speaks yum.
//
//   - ansible.builtin.yum:
//       name: httpd,mod_ssl
//       state: latest
//       enablerepo: sl-security
import type { FromSchema } from 'json-schema-to-ts';
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
import { defineModule } from './types.js';

const packageSchema = {
  type: 'object',
  properties: {
    name: NAME_LIST,
    state: { type: 'string', enum: PACKAGE_STATES },
    use: { type: 'string', enum: ['auto', 'yum', 'apt_rpm', 'apt', 'dnf'], default: 'auto' },
  },
  required: ['name', 'state'],
  additionalProperties: false,
} as const;

type PackageModuleArgs = FromSchema<typeof packageSchema>;

export const packageModule = defineModule<PackageModuleArgs, PackageRequest, PackageFacts>({
  name: 'package',
  summary: 'Install or remove packages with the host\'s package manager (yum, apt-rpm, apt)',
  schema: packageSchema,
  argAliases: { pkg: 'name' },
  checkMode: 'plan',
  prepare: ({ use, ...args }, ctx) => packageRequest(args, chooseMgr(use === 'dnf' ? 'yum' : use, ctx.vars.ansible_pkg_mgr)),
  probe: packageProbe,
  parse: parsePackageProbe,
  plan: planPackage,
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

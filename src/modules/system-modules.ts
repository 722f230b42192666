// The system modules (packages, services, SELinux, LVM, firewall, Xen, archives,
// downloads, reboots), for the registry.
import { aptModule } from './apt.js';
import { aptKeyModule } from './apt-key.js';
import { aptRepositoryModule } from './apt-repository.js';
import { debconfModule } from './debconf.js';
import { dpkgSelectionsModule } from './dpkg-selections.js';
import { getentModule } from './getent.js';
import { getUrlModule } from './get-url.js';
import { groupModule } from './group.js';
import { iptablesModule } from './iptables.js';
import { lvgModule } from './lvg.js';
import { lvolModule } from './lvol.js';
import { packageFactsModule } from './package-facts.js';
import { packageModule, yumModule } from './package.js';
import { rebootModule } from './reboot.js';
import { selinuxModule } from './selinux.js';
import { serviceModule, sysvinitModule } from './service.js';
import type { ModuleDef } from './types.js';
import { unarchiveModule } from './unarchive.js';
import { userModule } from './user.js';
import { waitForConnectionModule } from './wait-for-connection.js';
import { xenDomainModule } from './xen-domain.js';

export const systemModules: ModuleDef[] = [
  packageModule,
  yumModule,
  serviceModule,
  sysvinitModule,
  selinuxModule,
  lvgModule,
  lvolModule,
  iptablesModule,
  xenDomainModule,
  unarchiveModule,
  getUrlModule,
  rebootModule,
  waitForConnectionModule,
  userModule,
  groupModule,
  getentModule,
  aptModule,
  aptKeyModule,
  aptRepositoryModule,
  dpkgSelectionsModule,
  debconfModule,
  packageFactsModule,
];

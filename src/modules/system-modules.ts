// The system modules (packages, services, SELinux, LVM, firewall, Xen, archives,
// downloads, reboots), for the registry.
import { alternativesModule } from './alternatives.js';
import { authorizedKeyModule } from './authorized-key.js';
import { cronModule } from './cron.js';
import { knownHostsModule } from './known-hosts.js';
import { aptModule } from './apt.js';
import { aptKeyModule } from './apt-key.js';
import { aptRepositoryModule } from './apt-repository.js';
import { debconfModule } from './debconf.js';
import { dpkgSelectionsModule } from './dpkg-selections.js';
import { getentModule } from './getent.js';
import { getUrlModule } from './get-url.js';
import { gitModule } from './git.js';
import { uriModule } from './uri.js';
import { groupModule } from './group.js';
import { iniFileModule } from './ini-file.js';
import { iptablesModule } from './iptables.js';
import { lvgModule } from './lvg.js';
import { lvolModule } from './lvol.js';
import { mountModule } from './mount.js';
import { packageFactsModule } from './package-facts.js';
import { packageModule, yumModule } from './package.js';
import { rebootModule } from './reboot.js';
import { selinuxModule } from './selinux.js';
import { sysctlModule } from './sysctl.js';
import { hostnameModule } from './hostname.js';
import { serviceFactsModule } from './service-facts.js';
import { serviceModule, sysvinitModule } from './service.js';
import { systemdModule } from './systemd.js';
import type { ModuleDef } from './types.js';
import { timezoneModule } from './timezone.js';
import { unarchiveModule } from './unarchive.js';
import { userModule } from './user.js';
import { waitForConnectionModule } from './wait-for-connection.js';
import { xenDomainModule } from './xen-domain.js';
import { yumRepositoryModule } from './yum-repository.js';

export const systemModules: ModuleDef[] = [
  packageModule,
  yumModule,
  serviceModule,
  sysvinitModule,
  systemdModule,
  serviceFactsModule,
  hostnameModule,
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
  iniFileModule,
  yumRepositoryModule,
  timezoneModule,
  alternativesModule,
  cronModule,
  knownHostsModule,
  authorizedKeyModule,
  sysctlModule,
  mountModule,
  gitModule,
  uriModule,
  aptModule,
  aptKeyModule,
  aptRepositoryModule,
  dpkgSelectionsModule,
  debconfModule,
  packageFactsModule,
];

// `npm run lab -- up N [--flavor debian|sl44|systemd|apt|role-host] [--dir D] [--hosts-json F]`, `down [--dir D]`, `status [--dir D]`.
import { readFileSync } from 'node:fs';
import { labStatus, startLab, stopLab, type LabFlavor, type Sl44HostOverride } from './lab.js';

function usage(): never {
  process.stderr.write('usage: lab up N [--flavor debian|sl44|systemd|apt|role-host] [--dir D] [--prefix NAME] [--base-port P] [--hosts-json FILE] [--apt-repo DIR]\n       lab down [--dir D]\n       lab status [--dir D]\n');
  process.exit(5);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      flags[k] = v ?? rest[++i] ?? usage();
    } else positional.push(a);
  }
  const dir = flags.dir ?? '.lab';
  switch (cmd) {
    case 'up': {
      const count = Number(positional[0] ?? '3');
      if (!Number.isInteger(count) || count < 1) usage();
      const flavor = (flags.flavor ?? 'debian') as LabFlavor;
      if (flavor !== 'debian' && flavor !== 'sl44' && flavor !== 'systemd' && flavor !== 'apt' && flavor !== 'role-host') usage();
      // sl44 hosts' simulated hardware by host name, e.g. {"node03": {"withoutCpuFlags": ["vmx"]}, "node04": {"arch": "i686"}}.
      let hostOverrides: Record<string, Sl44HostOverride> | undefined;
      if (flags['hosts-json']) {
        try {
          hostOverrides = JSON.parse(readFileSync(flags['hosts-json'], 'utf8')) as Record<string, Sl44HostOverride>;
        } catch (e) {
          process.stderr.write(`lab: --hosts-json ${flags['hosts-json']}: ${(e as Error).message}\n`);
          return 5;
        }
      }
      const t0 = Date.now();
      const lab = await startLab({ count, flavor, dir, namePrefix: flags.prefix, basePort: flags['base-port'] ? Number(flags['base-port']) : undefined, hostOverrides, aptRepo: flags['apt-repo'] });
      process.stdout.write(`lab up: ${lab.hosts.length} ${lab.flavor} hosts in ${Date.now() - t0} ms\n`);
      for (const h of lab.hosts) process.stdout.write(`  ${h.name}  ${h.address}:${h.port}  pid ${h.pid}  root ${h.root}\n`);
      process.stdout.write(`inventory:   ${lab.inventoryPath}\nssh_config:  ${lab.sshConfigPath}\nknown_hosts: ${lab.knownHostsPath}\nkey:         ${lab.keyPath}\n`);
      process.stdout.write(`become user: ${lab.becomeUser} (sudo password ${lab.sudoPassword})\n`);
      return 0;
    }
    case 'down':
      await stopLab(dir);
      process.stdout.write('lab down\n');
      return 0;
    case 'status': {
      const st = await labStatus(dir);
      if (!st) {
        process.stdout.write(`no lab in ${dir}\n`);
        return 1;
      }
      process.stdout.write(`flavor: ${st.flavor}${st.flavor === 'sl44' ? ' (Scientific Linux 4.4, SIMULATED tools: see docs/lab.md)' : ''}\n`);
      for (const h of st.hosts) process.stdout.write(`  ${h.name}  ${h.address}:${h.port}  pid ${h.pid}  ${st.alive[h.name] ? 'up' : 'DOWN'}\n`);
      return Object.values(st.alive).every(Boolean) ? 0 : 1;
    }
    default:
      usage();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`lab: ${e.message}\n`);
    process.exit(1);
  },
);

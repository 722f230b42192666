// A one-machine Slurm cluster for tests: Debian's slurmctld and slurmd (slurm-wlm) on
// this host, from a slurm.conf in a directory of the test's own, on free ports. Its
// controller and node are the test's children, ended by their PIDs. Authentication is
// auth/none: the cluster listens on 127.0.0.1 only and lives for one test file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const haveSlurm = ['slurmctld', 'slurmd', 'sbatch', 'sinfo'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0);

export interface SlurmCluster {
  /** The environment for Slurm's commands (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts the controller and one node with `cpus` CPUs (oversubscribing this machine is fine: slices mostly wait on SSH). */
export async function startSlurm(dir: string, cpus = 4): Promise<SlurmCluster> {
  mkdirSync(path.join(dir, 'state'), { recursive: true });
  mkdirSync(path.join(dir, 'spool'), { recursive: true });
  const host = os.hostname().split('.')[0]!;
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = path.join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=rackplaytest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'AuthType=auth/none',
      'CredType=cred/none',
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'MpiDefault=none',
      'SchedulerType=sched/builtin',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'SlurmdParameters=config_overrides',
      'JobCompType=jobcomp/none',
      'AccountingStorageType=accounting_storage/none',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN`,
      `PartitionName=rackplay Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const start = (cmd: string, args: string[]) => {
    const c = spawn(cmd, args, { env, stdio: 'ignore' });
    children.push(c);
    return c;
  };
  const stop = async () => {
    for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
  };
  start('slurmctld', ['-D', '-f', conf]);
  start('slurmd', ['-D', '-f', conf, '-N', host]);
  // Ready when the node takes jobs.
  for (let i = 0; i < 100; i++) {
    const info = spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' });
    if (info.status === 0 && /^idle/m.test(info.stdout)) return { env, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`Slurm did not come up: see ${dir}/slurmctld.log and ${dir}/slurmd.log`);
}

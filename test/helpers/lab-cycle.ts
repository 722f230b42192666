// The module lab contract, shared: two lab hosts (one for rackplay, one for Debian's
// ansible-playbook when it is installed), and a playbook run four times on each:
// check (predicts a change, changes nothing) → apply (changes) → apply (changed=0) →
// check (changed=0). Each of rackplay's runs must match ansible-playbook's run on the
// other host: the same task lines, recap and debug messages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runCommand, runRackplay, type CliRun } from './cli.js';
import { hostShell, labHostVars, startLab, type Lab, type LabFlavor, type LabHost } from '../lab/lab.js';

export interface LabCycleOptions {
  /** The lab hosts' flavor (test/lab/lab.ts); debian unless said. */
  flavor?: LabFlavor;
  /** How long one run of either tool may take. */
  timeoutMs?: number;
  /** Runs once the hosts are up, before any playbook (to put files on both hosts, say). */
  setup?: (c: LabCycle) => Promise<void>;
  /** With ansible-playbook, after each cycle `state` must read the same on both hosts. */
  sameState?: boolean;
  /** Lab hosts to start, 2 unless said: the ones after `ours` and `theirs` are the test's own (lab.hosts). */
  hosts?: number;
}

export interface LabCycle {
  lab: Lab;
  /** The host rackplay runs against. */
  ours: LabHost;
  /** The host ansible-playbook runs against. */
  theirs: LabHost;
  work: string;
  /** A shell command's stdout on a host. */
  sh(h: LabHost, cmd: string): Promise<string>;
  /** Runs `tasks` (YAML under `tasks:`) check → apply → apply → check; `state` is a command whose output the first check must leave as it was. */
  cycle(name: string, tasks: string, state: string): Promise<CliRun[]>;
  stop(): Promise<void>;
}

export async function startLabCycle(prefix: string, opts: LabCycleOptions = {}): Promise<LabCycle> {
  const work = mkdtempSync(path.join(os.tmpdir(), `rackplay-${prefix}-`));
  const lab = await startLab({ count: opts.hosts ?? 2, dir: path.join(work, 'lab'), flavor: opts.flavor });
  const [ours, theirs] = lab.hosts;
  // the same host name in both inventories, so the two tools' output compares line by line
  for (const [file, h] of [['ours.json', ours], ['theirs.json', theirs]] as const) {
    writeFileSync(path.join(work, file), JSON.stringify({ all: { hosts: { lab: labHostVars(lab, h) } } }));
  }
  const sh = async (h: LabHost, cmd: string) => (await hostShell(h, cmd)).stdout;
  const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const run = async (pb: string, check: boolean) => {
    const flags = check ? ['--check'] : [];
    const mine = await runRackplay(['-i', 'ours.json', pb, ...flags], { cwd: work, env, timeoutMs });
    const ref = haveAnsiblePlaybook ? await runCommand('ansible-playbook', ['-i', 'theirs.json', pb, ...flags], { cwd: work, env, timeoutMs }) : undefined;
    return { mine, ref };
  };
  const c: LabCycle = {
    lab,
    ours,
    theirs,
    work,
    sh,
    async cycle(name, tasks, state) {
      const pb = `${name}.yml`;
      writeFileSync(path.join(work, pb), `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}\n`);
      const before = await sh(ours, state);
      const runs: CliRun[] = [];
      const expected: [boolean, (changed: number) => boolean][] = [
        [true, (c) => c > 0],
        [false, (c) => c > 0],
        [false, (c) => c === 0],
        [true, (c) => c === 0],
      ];
      for (const [i, [check, ok]] of expected.entries()) {
        const { mine, ref } = await run(pb, check);
        expect(mine.code, mine.stdout + mine.stderr).toBe(0);
        const recap = parseRecap(mine.stdout).lab;
        expect(recap.failed).toBe(0);
        expect(ok(recap.changed), `${name} run ${i + 1}: changed=${recap.changed}\n${mine.stdout}`).toBe(true);
        if (i === 0) expect(await sh(ours, state), 'check mode changed the host').toBe(before);
        if (ref) expectSameRun({ ours: mine, theirs: ref });
        runs.push(mine);
      }
      if (opts.sameState && haveAnsiblePlaybook) expect(await sh(ours, state), 'the two tools left the hosts differently').toBe(await sh(theirs, state));
      return runs;
    },
    async stop() {
      await lab.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
  if (opts.setup) {
    try {
      await opts.setup(c);
    } catch (e) {
      await c.stop();
      throw e;
    }
  }
  return c;
}

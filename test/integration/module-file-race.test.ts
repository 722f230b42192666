// Two hosts on one controller (local connection) often create sibling directories under
// a parent that does not exist yet; whoever loses the race to mkdir the parent must
// still succeed, as Ansible's file module does.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/engine/apply-plan.js';
import { fileModule } from '../../src/modules/file.js';
import { LocalTransport } from '../../src/transport/local.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-race-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('file state=directory under a missing parent, concurrently', () => {
  it('never fails when another process creates the parent first', async () => {
    const transport = new LocalTransport('localhost');
    for (let round = 0; round < 15; round++) {
      const parent = path.join(work, `round${round}`, 'deep');
      const results = await Promise.all(
        ['alpha', 'beta', 'gamma', 'delta'].map(async (host) => {
          const args = { path: path.join(parent, host), state: 'directory', recurse: false, force: false, follow: true };
          const plan = fileModule.plan!(args, fileModule.parse!({ rc: 0, stdout: '', stderr: '', stdoutBytes: Buffer.alloc(0) }, args), { check: false, diff: false, host, vars: {} });
          return applyPlan(plan, transport, {});
        }),
      );
      expect(results).toEqual([undefined, undefined, undefined, undefined]);
      for (const host of ['alpha', 'beta', 'gamma', 'delta']) expect(statSync(path.join(parent, host)).isDirectory()).toBe(true);
    }
  });
});

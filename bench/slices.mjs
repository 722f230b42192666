// bench --slices N: the bench playbook over --slice-hosts lab hosts (200 by default), once
// as one run and once as N slices (--slice K/N) run by a Slurm job array on a controller
// and node of our own (dist/test/lab/slurm.js, Debian's slurm-wlm), their JSON reports
// merged with `rackplay report merge`. For a converge and the no-op re-run after it, it
// records both wall times and whether the merged report equals the unsliced one (times,
// task ids and the order hosts finish in aside: dist/test/lab/report-compare.js).
import { isDeepStrictEqual } from 'node:util';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Runs the comparison; results go to `results`. `ctx` as runPlaybooks gets it, plus `dist(p)`. */
export async function runSlices(o, ctx, results) {
  const { haveSlurm, startSlurm } = await import(ctx.dist('test/lab/slurm.js'));
  const { normalizedReport } = await import(ctx.dist('test/lab/report-compare.js'));
  const res = (results.slices = { slices: o.slices, hosts: o.sliceHosts, playbook: 'bench/playbook/site.yml', runs: [] });
  if (!haveSlurm) {
    res.skipped = 'Slurm is not installed (apt-get install slurm-wlm)';
    ctx.log(`slices: skipped: ${res.skipped}`);
    return;
  }
  const dir = path.join(ctx.work, 'slices');
  mkdirSync(dir, { recursive: true });
  const labDir = path.join(ctx.work, 'lab-slices');
  ctx.labDirs.push(labDir);
  const lab = await ctx.startLab({ count: o.sliceHosts, dir: labDir, namePrefix: 'sl' });
  const slurm = await startSlurm(path.join(dir, 'slurm'), o.slices);
  try {
    const inventory = path.join(dir, 'inventory.yml');
    ctx.writeInventory(inventory, lab, lab.hosts);
    const playbook = path.join(ctx.repo, 'bench/playbook/site.yml');
    const env = { ...ctx.baseEnv, ANSIBLE_CONFIG: ctx.cfg.rackplay };
    const wipe = () => lab.hosts.forEach((h) => rmSync(path.join(h.root, 'srv/bench'), { recursive: true, force: true }));
    wipe();
    for (const scenario of ['converge', 'noop']) {
      const whole = path.join(dir, `${scenario}-whole.json`);
      const one = await ctx.timed([process.execPath, ctx.rackplayBin, '-i', inventory, playbook, '--report', `json=${whole}`], { env, cwd: dir, stdoutFile: path.join(dir, `${scenario}-whole.out`), timeFile: path.join(dir, `${scenario}-whole.time`) });
      if (scenario === 'converge') wipe();
      const script = path.join(dir, `${scenario}.sh`);
      writeFileSync(script, `#!/bin/sh\nexec ${process.execPath} ${ctx.rackplayBin} -i ${inventory} ${playbook} --slice "$SLURM_ARRAY_TASK_ID/${o.slices}" --report "json=${dir}/${scenario}-$SLURM_ARRAY_TASK_ID.json"\n`);
      const job = await ctx.timed(['sbatch', `--array=1-${o.slices}`, '--wait', `--chdir=${dir}`, `--output=${dir}/${scenario}-%a.out`, script], { env: { ...env, ...slurm.env }, cwd: dir, stdoutFile: path.join(dir, `${scenario}-sbatch.out`), timeFile: path.join(dir, `${scenario}-sbatch.time`) });
      const reports = Array.from({ length: o.slices }, (_, i) => path.join(dir, `${scenario}-${i + 1}.json`));
      const merged = path.join(dir, `${scenario}-merged.json`);
      const merge = await ctx.timed([process.execPath, ctx.rackplayBin, 'report', 'merge', ...reports.filter(existsSync), '--report', `json=${merged}`], { env, cwd: dir, stdoutFile: path.join(dir, `${scenario}-merge.out`), timeFile: path.join(dir, `${scenario}-merge.time`) });
      const equal = existsSync(merged) && existsSync(whole) && isDeepStrictEqual(normalizedReport(merged), normalizedReport(whole));
      const recapEqual = existsSync(merged) && existsSync(whole) && isDeepStrictEqual(JSON.parse(readFileSync(merged, 'utf8')).recap, JSON.parse(readFileSync(whole, 'utf8')).recap);
      const sizes = reports.map((f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')).hosts.length : null));
      const run = { scenario, wholeWallMs: Math.round(one.wallMs), wholeExit: one.code, slicedWallMs: Math.round(job.wallMs), sbatchExit: job.code, mergeExit: merge.code, sliceHosts: sizes, recapEqual, reportEqual: equal };
      res.runs.push(run);
      ctx.report();
      ctx.log(`  slices ${o.slices} × ${o.sliceHosts} hosts ${scenario.padEnd(8)}: one run ${run.wholeWallMs} ms (exit ${one.code}), ${o.slices} slices on Slurm ${run.slicedWallMs} ms (hosts ${sizes.join('/')}), merged report ${equal ? 'equal' : 'DIFFERS'}, recap ${recapEqual ? 'equal' : 'DIFFERS'}, exit ${merge.code}`);
    }
  } finally {
    await slurm.stop();
    await lab.stop();
  }
}

/** The target line for the bench's targets list. */
export function slicesTarget(results) {
  const s = results.slices;
  const target = `a ${s?.slices ?? 4}-slice run on Slurm gives the same merged recap and report as one unsliced run over the same ${s?.hosts ?? 200} hosts`;
  if (!s || s.skipped || !s.runs.length) return { target, value: s?.skipped ?? 'not measured', holds: null };
  const ok = s.runs.every((r) => r.reportEqual && r.recapEqual && r.mergeExit === r.wholeExit);
  return { target, value: s.runs.map((r) => `${r.scenario}: report ${r.reportEqual ? 'equal' : 'differs'}, exit ${r.mergeExit} vs ${r.wholeExit}`).join('; '), holds: ok };
}

// Runs one module the way the engine does (validate with defaults, prepare, probe, parse,
// plan, apply the steps unless checking; or run), against a real transport, so module
// tests exercise the real shell round trips. Returns the result and the plan.
import { applyPlan } from '../../src/engine/apply-plan.js';
import { ModuleFailure, type AnyModuleDef, type ModuleResult, type Plan } from '../../src/modules/types.js';
import { validateModuleArgs } from '../../src/playbook/validate-args.js';
import type { Transport } from '../../src/transport/types.js';
import { makeRunContext, type RunContextOptions } from './run-context.js';

export interface PlannedRun {
  result: ModuleResult;
  plan?: Plan;
}

export async function runModule(
  def: AnyModuleDef,
  rawArgs: Record<string, unknown>,
  opts: Omit<RunContextOptions, 'transport'> & { transport: Transport },
): Promise<PlannedRun> {
  try {
    return await runSteps(def, rawArgs, opts);
  } catch (e) {
    // the module's one way to fail, turned into a result as the engine does
    if (e instanceof ModuleFailure) return { result: e.result() };
    throw e;
  }
}

async function runSteps(def: AnyModuleDef, rawArgs: Record<string, unknown>, opts: Omit<RunContextOptions, 'transport'> & { transport: Transport }): Promise<PlannedRun> {
  const args = validateModuleArgs(def, rawArgs, { file: 'test.yml', line: 1, col: 1 }, { rendered: true });
  const ctx = makeRunContext(opts);
  if (def.run) {
    if (ctx.check && def.checkMode === 'skip') return { result: { skipped: true, changed: false } };
    return { result: await def.run(args, ctx) };
  }
  const prepared = def.prepare ? await def.prepare(args, ctx) : args;
  const script = def.probe?.(prepared);
  const out = script ? await ctx.exec(script) : { rc: 0, stdout: '', stderr: '', stdoutBytes: Buffer.alloc(0) };
  const facts = def.parse ? def.parse(out, prepared) : undefined;
  const plan = def.plan!(prepared, facts, { check: ctx.check, diff: ctx.diff, host: ctx.host, vars: ctx.vars });
  const result: ModuleResult = { changed: plan.steps.length > 0 || !!plan.changed, ...plan.result };
  if (!ctx.check && plan.steps.length) {
    const failure = await applyPlan(plan, opts.transport, { env: opts.env, become: opts.become });
    if (failure) return { result: { ...result, changed: false, failed: true, ...failure }, plan };
  }
  return { result, plan };
}

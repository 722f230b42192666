// ansible.builtin.pause: waits on the controller. With no TTY (rackplay does not read
// the keyboard yet) a prompt without seconds/minutes returns at once with Ansible's
// warning, as Ansible itself does when stdin is not interactive.
//
//   - name: Let the cluster settle
//     ansible.builtin.pause:
//       seconds: 30
import { pythonTimestamp } from './command-runner.js';
import type { FromSchema } from 'json-schema-to-ts';
import { ModuleFailure, defineModule, type ModuleResult, type RunContext } from './types.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seconds: { type: ['integer', 'number', 'string'] },
    minutes: { type: ['integer', 'number', 'string'] },
    prompt: { type: 'string' },
    echo: { type: 'boolean', default: true },
  },
} as const;

export type PauseArgs = FromSchema<typeof schema>;

/** Python's str() of a float rounded to 2 places: 1 → "1.0", 0.016 → "0.02". */
export function pythonRound2(x: number): string {
  const r = Math.round(x * 100) / 100;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

function toNumber(v: number | string | undefined, name: string): number | undefined | Error {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return new Error(`non-integer value given for prompt duration:\n${name}: ${v}`);
  return n;
}

async function runPause(args: PauseArgs, ctx: RunContext): Promise<ModuleResult> {
  const secs = toNumber(args.seconds, 'seconds');
  const mins = toNumber(args.minutes, 'minutes');
  if (secs instanceof Error) throw new ModuleFailure(secs.message);
  if (mins instanceof Error) throw new ModuleFailure(mins.message);
  const unit = mins !== undefined ? 'minutes' : 'seconds';
  const echo = args.echo !== false;
  const start = new Date();
  const result: ModuleResult = { changed: false, rc: 0, stderr: '', stdout: '', start: pythonTimestamp(start), stop: null, delta: null, echo, user_input: '' };
  if (secs === undefined && mins === undefined) {
    result.warnings = ['Not waiting for response to prompt as stdin is not interactive'];
  } else {
    const seconds = mins !== undefined ? mins * 60 : secs!;
    ctx.progress(`Pausing for ${Math.trunc(seconds)} seconds${args.prompt ? ` (${args.prompt})` : ''}`);
    await ctx.sleep(Math.max(0, seconds * 1000));
  }
  const stop = new Date();
  const duration = (stop.getTime() - start.getTime()) / 1000;
  result.stop = pythonTimestamp(stop);
  result.delta = Math.trunc(duration);
  result.stdout = `Paused for ${pythonRound2(unit === 'minutes' ? duration / 60 : duration)} ${unit}`;
  return result;
}

export const pauseModule = defineModule<PauseArgs>({
  name: 'pause',
  summary: 'Wait a number of seconds or minutes on the controller',
  checkMode: 'run',
  traits: { noAsync: true },
  controllerOnly: true,
  schema,
  run: runPause,
});

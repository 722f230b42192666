// community.general.lvol: a logical volume or snapshot and its size. The plan works in
// whole extents: the size (`512m`, `10g`, `50%VG`, `100%FREE`, `20%ORIGIN`, `+1g`) is
// turned into an extent count from the probed VG, so lvcreate/lvextend get `-l N` and a
// volume that lvcreate rounded up to an extent still counts as the requested size. As in
// Ansible, `%FREE` and `+` grow an existing volume by that much (so they are only stable
// once the space is used), shrinking needs force, and removing needs force.
//
//   - community.general.lvol:
//       vg: vg_guests
//       lv: web1-root
//       size: 10g
import type { FromSchema } from 'json-schema-to-ts';
import { lvsProbe, parseLvs, parseVgs, vgsProbe, type LvInfo, type VgInfo } from '../facts/lvm-probe.js';
import { SBIN_PATH, listArg, parseSections } from '../facts/system-probe.js';
import { quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { defineModule, ModuleFailure, type Plan, type PlanContext } from './types.js';

export type LvolArgs = FromSchema<typeof schema>;

export interface LvolFacts {
  vg?: VgInfo;
  lvs: LvInfo[];
}

export type SizeSpec =
  | { kind: 'abs'; op: '' | '+' | '-'; mb: number }
  | { kind: 'pct'; op: '' | '+' | '-'; pct: number; of: 'VG' | 'PVS' | 'FREE' | 'ORIGIN' };

const UNIT_MB: Record<string, number> = { b: 1 / 1048576, s: 512 / 1048576, k: 1 / 1024, m: 1, g: 1024, t: 1024 ** 2, p: 1024 ** 3, e: 1024 ** 4 };

/** Ansible's lvol size notation; undefined when it is not one. */
export function parseSize(size: string): SizeSpec | undefined {
  const pct = /^([+-]?)(\d+(?:\.\d+)?)%(VG|PVS|FREE|ORIGIN)$/i.exec(size.trim());
  if (pct) return { kind: 'pct', op: pct[1] as '' | '+' | '-', pct: Number(pct[2]), of: pct[3].toUpperCase() as 'VG' };
  const abs = /^([+-]?)(\d+(?:\.\d+)?)([bBsSkKmMgGtTpPeE]?)$/.exec(size.trim());
  if (abs) return { kind: 'abs', op: abs[1] as '' | '+' | '-', mb: Number(abs[2]) * UNIT_MB[(abs[3] || 'm').toLowerCase()] };
  return undefined;
}

export function lvolProbe(args: LvolArgs): string {
  return [SBIN_PATH, vgsProbe(args.vg), lvsProbe(args.vg)].join('\n');
}

export function parseLvolProbe(out: ExecResult, args: LvolArgs): LvolFacts {
  const s = parseSections(out.stdout);
  const vg = s.rc.vgs === 0 ? parseVgs(s.text.vgs).find((v) => v.name === args.vg) : undefined;
  return { vg, lvs: s.rc.lvs === 0 ? parseLvs(s.text.lvs).filter((l) => l.vg === args.vg) : [] };
}

/** Extents wanted; `current` is the volume's extents when it exists. */
export function targetExtents(spec: SizeSpec, vg: VgInfo, current: number | undefined, originExtents: number | undefined): number {
  if (spec.kind === 'abs') {
    const n = Math.ceil(spec.mb / vg.extentMb - 1e-9);
    if (spec.op === '+') return (current ?? 0) + n;
    if (spec.op === '-') return (current ?? 0) - n;
    return n;
  }
  const whole = spec.of === 'FREE' ? vg.freeCount : spec.of === 'ORIGIN' ? (originExtents ?? 0) : vg.extentCount;
  const n = Math.floor((spec.pct * whole) / 100);
  if (spec.op === '-') return (current ?? 0) - n;
  if (current !== undefined && (spec.of === 'FREE' || spec.op === '+')) return current + n;
  return n;
}

export function planLvol(args: LvolArgs, f: LvolFacts, _ctx?: PlanContext): Plan {
  const env = `${SBIN_PATH} && `;
  if (!args.lv && !args.snapshot) throw new ModuleFailure('missing required arguments: lv');
  const name = args.snapshot ?? args.lv!;
  const vg = f.vg;
  if (!vg) {
    if (args.state === 'absent') return { steps: [], result: { msg: '' } };
    throw new ModuleFailure(`Volume group ${args.vg} does not exist.`);
  }
  const lv = f.lvs.find((l) => l.name === name);
  const path = `${args.vg}/${name}`;
  if (args.state === 'absent') {
    if (!lv) return { steps: [] };
    if (!args.force) throw new ModuleFailure(`Sorry, no removal of logical volume ${name} without force=true.`);
    return { steps: [{ kind: 'exec', cmd: `${env}lvremove --force ${quoteArgv([path])}` }] };
  }
  const extents = (l: LvInfo) => Math.round(l.sizeMb / vg.extentMb);
  const origin = args.snapshot ? f.lvs.find((l) => l.name === args.lv) : undefined;
  if (args.snapshot && !origin && !lv) throw new ModuleFailure(`Snapshot origin LV ${args.lv} does not exist in volume group ${args.vg}.`);
  if (!args.size) {
    if (lv) return { steps: [] };
    throw new ModuleFailure('No size given.');
  }
  const spec = parseSize(args.size);
  if (!spec) throw new ModuleFailure(`Invalid size: ${args.size} (use a number with an optional unit b,s,k,m,g,t,p,e, or N%VG, N%PVS, N%FREE, N%ORIGIN)`);
  const opts = (args.opts ?? '').split(/\s+/).filter(Boolean);
  const pvs = args.pvs ?? [];
  if (!lv) {
    const n = targetExtents(spec, vg, undefined, origin ? extents(origin) : undefined);
    if (n < 1) throw new ModuleFailure(`Sorry, no logical volume of size ${args.size} (0 extents) can be created.`);
    if (n > vg.freeCount) {
      throw new ModuleFailure(`Insufficient free space in volume group ${args.vg}: ${n} extents required, ${vg.freeCount} available.`);
    }
    const argv = args.snapshot
      ? ['-s', '-n', args.snapshot, '-l', String(n), ...opts, `/dev/${args.vg}/${args.lv}`]
      : ['-n', name, '-l', String(n), ...opts, args.vg, ...pvs];
    const activate = args.active ? [] : [{ kind: 'exec' as const, cmd: `${env}lvchange -an ${quoteArgv([path])}` }];
    return { steps: [{ kind: 'exec', cmd: `${env}lvcreate ${quoteArgv(argv)}` }, ...activate], result: { msg: '' } };
  }
  const cur = extents(lv);
  const want = targetExtents(spec, vg, cur, origin ? extents(origin) : undefined);
  const resize = args.resizefs ? ['--resizefs'] : [];
  if (want > cur) {
    if (vg.freeCount < want - cur) {
      const unit = 'm';
      throw new ModuleFailure(
        `Logical Volume ${name} could not be extended. Not enough free space left (${((want - cur) * vg.extentMb).toFixed(2)}${unit} required / ${(vg.freeCount * vg.extentMb).toFixed(2)}${unit} available)`,
      );
    }
    return { steps: [{ kind: 'exec', cmd: `${env}lvextend ${quoteArgv([...resize, '-l', String(want), path, ...pvs])}` }], result: { msg: `Volume ${name} resized to ${want * vg.extentMb}m` } };
  }
  if (want < cur && args.shrink) {
    if (want < 1) throw new ModuleFailure(`Sorry, no shrinking of ${name} to 0 permitted.`);
    if (!args.force) throw new ModuleFailure(`Sorry, no shrinking of ${name} without force=true.`);
    return { steps: [{ kind: 'exec', cmd: `${env}lvreduce ${quoteArgv(['-f', ...resize, '-l', String(want), path])}` }], result: { msg: `Volume ${name} resized to ${want * vg.extentMb}m` } };
  }
  return { steps: [] };
}

const schema = {
  type: 'object',
  properties: {
    vg: { type: 'string', minLength: 1 },
    lv: { type: 'string' },
    size: { type: 'string' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    force: { type: 'boolean', default: false },
    resizefs: { type: 'boolean', default: false },
    shrink: { type: 'boolean', default: true },
    snapshot: { type: 'string' },
    pvs: { type: 'array', items: { type: 'string' } },
    opts: { type: 'string' },
    active: { type: 'boolean', default: true },
  },
  required: ['vg'],
  additionalProperties: false,
} as const;

export const lvolModule = defineModule<LvolArgs, LvolArgs, LvolFacts>({
  name: 'lvol',
  aliases: ['community.general.lvol'],
  summary: 'Create, resize, snapshot or remove an LVM logical volume',
  schema,
  checkMode: 'plan',
  prepare: (args) => ({ ...args, pvs: args.pvs === undefined ? undefined : listArg(args.pvs) }),
  probe: lvolProbe,
  parse: parseLvolProbe,
  plan: planLvol,
});

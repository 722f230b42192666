// community.general.lvg: a volume group and the physical volumes in it. One probe reads
// the VG (vgs), every PV (pvs) and where each listed device really points (readlink -f,
// since pvs prints /dev/sdb for /dev/disk/by-id/...). The plan runs pvcreate for devices
// that are not PVs yet, then vgcreate, or vgextend/vgreduce to match `pvs`.
//
//   - community.general.lvg:
//       vg: vg_guests
//       pvs: /dev/sdb1,/dev/sdc1
//       pesize: 32M
import type { FromSchema } from 'json-schema-to-ts';
import { parsePvs, parseVgs, pvsProbe, vgsProbe, type PvInfo, type VgInfo } from '../facts/lvm-probe.js';
import { SBIN_PATH, listArg, parseSections, section } from '../facts/system-probe.js';
import { quote, quoteArgv } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { defineModule, ModuleFailure, type Plan, type PlanContext, type Step } from './types.js';

export type LvgArgs = FromSchema<typeof schema>;

export interface LvgFacts {
  vg?: VgInfo;
  pvs: PvInfo[];
  /** Listed device → its real path, or null when it does not exist. */
  devices: Record<string, string | null>;
}

export function lvgProbe(args: LvgArgs): string {
  const lines = [SBIN_PATH, vgsProbe(args.vg), pvsProbe()];
  (args.pvs ?? []).forEach((d, i) => lines.push(section(`dev${i}`, `test -e ${quote(d)} && readlink -f ${quote(d)}`)));
  return lines.join('\n');
}

export function parseLvgProbe(out: ExecResult, args: LvgArgs): LvgFacts {
  const s = parseSections(out.stdout);
  const vg = s.rc.vgs === 0 ? parseVgs(s.text.vgs).find((v) => v.name === args.vg) : undefined;
  const devices: Record<string, string | null> = {};
  (args.pvs ?? []).forEach((d, i) => {
    devices[d] = s.rc[`dev${i}`] === 0 ? (s.text[`dev${i}`] ?? '').trim() || d : null;
  });
  return { vg, pvs: s.rc.pvs === 0 ? parsePvs(s.text.pvs) : [], devices };
}

function words(opts: string): string[] {
  return opts.split(/\s+/).filter(Boolean);
}

export function planLvg(args: LvgArgs, f: LvgFacts, _ctx?: PlanContext): Plan {
  const env = `${SBIN_PATH} && `;
  const steps: Step[] = [];
  if (args.state === 'absent') {
    if (!f.vg) return { steps };
    if (f.vg.lvCount > 0 && !args.force) throw new ModuleFailure(`Refuse to remove non-empty volume group ${args.vg} without force=true`);
    return { steps: [{ kind: 'exec', cmd: `${env}vgremove -f ${quote(args.vg)}` }] };
  }
  const listed = args.pvs ?? [];
  if (!f.vg && listed.length === 0) throw new ModuleFailure('No physical volumes given.');
  const real: string[] = [];
  for (const d of listed) {
    const r = f.devices[d];
    if (r === null || r === undefined) throw new ModuleFailure(`Device ${d} not found.`);
    if (!real.includes(r)) real.push(r);
  }
  const pvOf = (dev: string) => f.pvs.find((p) => p.name === dev);
  for (const dev of real) {
    const pv = pvOf(dev);
    if (pv && pv.vg && pv.vg !== args.vg) throw new ModuleFailure(`Device ${dev} is already in ${pv.vg} volume group.`);
  }
  const fresh = real.filter((d) => !pvOf(d));
  const pvcreate = fresh.map((d): Step => ({ kind: 'exec', cmd: `${env}pvcreate ${quoteArgv([...words(args.pv_options), d])}` }));
  if (!f.vg) {
    return {
      steps: [...pvcreate, { kind: 'exec', cmd: `${env}vgcreate ${quoteArgv([...words(args.vg_options), '-s', args.pesize, args.vg, ...real])}` }],
    };
  }
  if (listed.length === 0) return { steps };
  const current = f.pvs.filter((p) => p.vg === args.vg).map((p) => p.name);
  const add = real.filter((d) => !current.includes(d));
  const remove = current.filter((d) => !real.includes(d));
  steps.push(...pvcreate.filter((_, i) => add.includes(fresh[i])));
  if (add.length) steps.push({ kind: 'exec', cmd: `${env}vgextend ${quoteArgv([args.vg, ...add])}` });
  if (remove.length) steps.push({ kind: 'exec', cmd: `${env}vgreduce --force ${quoteArgv([args.vg, ...remove])}` });
  return { steps };
}

const schema = {
  type: 'object',
  properties: {
    vg: { type: 'string', minLength: 1 },
    pvs: { type: 'array', items: { type: 'string' } },
    pesize: { type: 'string', pattern: '^\\d+(\\.\\d+)?[kKmMgGtT]?$', default: '4' },
    pv_options: { type: 'string', default: '' },
    vg_options: { type: 'string', default: '' },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    force: { type: 'boolean', default: false },
  },
  required: ['vg'],
  additionalProperties: false,
} as const;

export const lvgModule = defineModule<LvgArgs, LvgArgs, LvgFacts>({
  name: 'lvg',
  aliases: ['community.general.lvg'],
  summary: 'Create, extend, reduce or remove an LVM volume group',
  schema,
  checkMode: 'plan',
  prepare: (args) => ({ ...args, pvs: args.pvs === undefined ? undefined : listArg(args.pvs) }),
  probe: lvgProbe,
  parse: parseLvgProbe,
  plan: planLvg,
});

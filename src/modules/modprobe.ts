// community.general.modprobe: a kernel module loaded or unloaded with the host's modprobe,
// and optionally made persistent (/etc/modules-load.d/NAME.conf, its `params` as
// `options NAME ...` lines in /etc/modprobe.d/NAME.conf) or un-made (matching lines in
// every file there commented out), as the collection's module does. Whether the module is
// loaded comes from /proc/modules, then the kernel's modules.builtin. One probe reads all
// of it, and also runs modprobe's dry run (-n), which Ansible's check mode runs for real.
// Where /proc/modules is missing (a kernel without module support) lsmod is asked instead;
// on a real host it reads the same file, so it fails the same way.
//
//   - community.general.modprobe:
//       name: br_netfilter
//       state: present
//       persistent: present
import type { FromSchema } from 'json-schema-to-ts';
import { shlexSplit } from '../shlex.js';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
    params: { type: 'string', default: '' },
    persistent: { type: 'string', enum: ['disabled', 'present', 'absent'], default: 'disabled' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type ModprobeArgs = FromSchema<typeof schema>;

export const MODULES_LOAD_DIR = '/etc/modules-load.d';
export const MODPROBE_DIR = '/etc/modprobe.d';

export interface ModprobeFacts {
  modprobe: boolean;
  /** /proc/modules (or lsmod's output when the file is missing); undefined when neither could be read. */
  loadedList?: string;
  /** How reading the list failed, when it did. */
  listError?: string;
  /** Lines of modules.builtin that may name the module; undefined when the file is missing. */
  builtin?: string[];
  builtinPath: string;
  /** modprobe's dry run of what the task would do: rc, stdout, stderr. */
  dry?: { rc: number; stdout: string; stderr: string };
  /** Regular files of /etc/modules-load.d and /etc/modprobe.d with their text; undefined when the directory is missing. */
  loadFiles?: Record<string, string>;
  optionFiles?: Record<string, string>;
}

/** Emits `F <path>\n<bytes>\n<content>\n` for each regular file in a directory, or `NODIR`. */
function dumpDir(dir: string): string {
  const d = quote(dir);
  return [
    `if [ -d ${d} ]; then for rp_m in ${d}/* ${d}/.[!.]* ${d}/..?*; do [ -f "$rp_m" ] || continue`,
    `  printf 'F %s\\n%d\\n' "$rp_m" "$(wc -c < "$rp_m")"; cat "$rp_m"; printf '\\n'; done; else echo NODIR; fi`,
  ].join('\n');
}

/** Reads dumpDir's output (byte lengths: the probe runs with LC_ALL=C). */
function parseDump(buf: Buffer): Record<string, string> | undefined {
  if (buf.toString('utf8').startsWith('NODIR')) return undefined;
  const files: Record<string, string> = {};
  let at = 0;
  while (at < buf.length) {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0 || buf.toString('utf8', at, at + 2) !== 'F ') break;
    const name = buf.toString('utf8', at + 2, nl);
    const nl2 = buf.indexOf(0x0a, nl + 1);
    const len = Number(buf.toString('utf8', nl + 1, nl2).trim());
    files[name] = buf.toString('utf8', nl2 + 1, nl2 + 1 + len);
    at = nl2 + 1 + len + 1;
  }
  return files;
}

export function modprobeProbe(a: ModprobeArgs): string {
  const name = quote(a.name);
  const params = shlexSplit(a.params ?? '').map(quote);
  const dry = a.state === 'absent' ? `modprobe -r ${name} -n` : ['modprobe -n', name, ...params].join(' ');
  const lines = [
    'LC_ALL=C; export LC_ALL',
    SBIN_PATH,
    haveTools(['modprobe']),
    `if [ -r /proc/modules ]; then echo '@@list'; cat /proc/modules; echo "@@rc $?"; else echo '@@list'; lsmod 2>&1; echo "@@rc $?"; fi`,
    section('builtin', `rp_b=/lib/modules/$(uname -r)/modules.builtin; echo "$rp_b"; [ -r "$rp_b" ] && grep -F -- ${quote(`/${a.name}.ko`)} "$rp_b"; [ -r "$rp_b" ]`),
    `if command -v modprobe >/dev/null 2>&1; then rp_e=$(${dry} 2>&1 >/dev/null); rp_r=$?; echo '@@dryerr'; printf '%s\\n' "$rp_e"; echo "@@rc $rp_r"; fi`,
  ];
  if (a.persistent !== 'disabled') {
    lines.push(`echo '@@@load'`, dumpDir(MODULES_LOAD_DIR), `echo '@@@options'`, dumpDir(MODPROBE_DIR));
  }
  return lines.join('\n');
}

export function parseModprobe(out: ExecResult): ModprobeFacts {
  const raw = Buffer.isBuffer(out.stdout) ? out.stdout : Buffer.from(out.stdout);
  const cutLoad = raw.indexOf('\n@@@load\n');
  const cutOpt = raw.indexOf('\n@@@options\n');
  const head = parseSections(raw.toString('utf8', 0, cutLoad < 0 ? undefined : cutLoad));
  const builtinLines = (head.text.builtin ?? '').split('\n');
  const facts: ModprobeFacts = {
    modprobe: !!head.have.modprobe,
    builtinPath: builtinLines[0] ?? '',
    builtin: head.rc.builtin === 0 ? builtinLines.slice(1) : undefined,
  };
  if (head.rc.list === 0) facts.loadedList = head.text.list;
  else facts.listError = head.text.list;
  if (head.rc.dryerr !== undefined) facts.dry = { rc: head.rc.dryerr, stdout: '', stderr: head.text.dryerr ? head.text.dryerr + '\n' : '' };
  if (cutLoad >= 0 && cutOpt >= 0) {
    facts.loadFiles = parseDump(raw.subarray(cutLoad + '\n@@@load\n'.length, cutOpt + 1));
    facts.optionFiles = parseDump(raw.subarray(cutOpt + '\n@@@options\n'.length));
  }
  return facts;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Python's readlines(). */
const readlines = (text: string) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

function isLoaded(a: ModprobeArgs, f: ModprobeFacts, host: string): boolean {
  if (f.loadedList === undefined) throw new ModuleFailure(`[Errno 2] No such file or directory: '/proc/modules' (on ${host})`);
  const prefix = a.name.replace(/-/g, '_') + ' ';
  if (f.loadedList.split('\n').some((l) => l.startsWith(prefix))) return true;
  if (f.builtin === undefined) throw new ModuleFailure(`[Errno 2] No such file or directory: '${f.builtinPath}'`);
  return f.builtin.some((l) => l.trimEnd().endsWith(`/${a.name}.ko`));
}

/** Each file with every line matching `re` commented out, as Ansible rewrites it (see below). */
function commentOut(files: Record<string, string>, re: RegExp): Map<string, string> {
  const changed = new Map<string, string>();
  for (const [path, text] of Object.entries(files)) {
    const lines = readlines(text);
    let hit = false;
    const out = lines.map((l) => (re.test(l) ? ((hit = true), '#' + l) : l));
    // the module joins the lines it read (each still ending in a newline) with '\n'
    if (hit) changed.set(path, out.join('\n'));
  }
  return changed;
}

export function planModprobe(a: ModprobeArgs, f: ModprobeFacts, ctx: PlanContext): Plan {
  if (!f.modprobe) throw new ModuleFailure(`Failed to find required executable "modprobe" on ${ctx.host}`);
  const params = a.params ?? '';
  const result = { name: a.name, params, state: a.state };
  const steps: Step[] = [];
  const loaded = isLoaded(a, f, ctx.host);
  const words = shlexSplit(params).map(quote);
  const run = (cmd: string) => {
    if (f.dry && f.dry.rc !== 0) throw new ModuleFailure(f.dry.stderr, { rc: f.dry.rc, stdout: f.dry.stdout, stderr: f.dry.stderr, ...result });
    steps.push({ kind: 'exec', cmd: `${SBIN_PATH}; ${cmd} >/dev/null`, stderrIsMessage: true });
  };
  if (a.state === 'present' && !loaded) run(['modprobe', quote(a.name), ...words].join(' '));
  else if (a.state === 'absent' && loaded) run(`modprobe -r ${quote(a.name)}`);

  if (a.persistent !== 'disabled') {
    if (!f.loadFiles) throw new ModuleFailure(`[Errno 2] No such file or directory: '${MODULES_LOAD_DIR}'`);
    if (!f.optionFiles) throw new ModuleFailure(`[Errno 2] No such file or directory: '${MODPROBE_DIR}'`);
    const n = escape(a.name);
    const findModule = new RegExp(`^ *${n} *(?:[#;].*)?\\n?$`);
    const findParams = new RegExp(`^options ${n} \\w+=\\S+ *(?:[#;].*)?\\n?$`);
    const getParam = new RegExp(`^options ${n} (\\w+=\\S+) *(?:[#;].*)?\\n?$`);
    const persisted = Object.values(f.loadFiles).some((t) => readlines(t).some((l) => findModule.test(l)));
    const permanent = new Set(Object.values(f.optionFiles).flatMap((t) => readlines(t).flatMap((l) => getParam.exec(l)?.[1] ?? [])));
    const desired = new Set(params.split(/\s+/).filter((w) => w !== ''));
    const paramsSet = desired.size === permanent.size && [...desired].every((p) => permanent.has(p));
    const writes = new Map<string, string>();
    if (a.persistent === 'present' && !(persisted && paramsSet)) {
      if (!persisted) writes.set(`${MODULES_LOAD_DIR}/${a.name}.conf`, `${a.name}\n`);
      if (!paramsSet) {
        for (const [p, t] of commentOut(f.optionFiles, findParams)) writes.set(p, t);
        writes.set(`${MODPROBE_DIR}/${a.name}.conf`, [...params.split(/\s+/).filter((w) => w !== '')].map((w) => `options ${a.name} ${w}`).join('\n') + '\n');
      }
    } else if (a.persistent === 'absent' && (persisted || permanent.size > 0)) {
      if (persisted) for (const [p, t] of commentOut(f.loadFiles, findModule)) writes.set(p, t);
      if (permanent.size > 0) for (const [p, t] of commentOut(f.optionFiles, findParams)) writes.set(p, t);
    }
    for (const [path, text] of writes) steps.push({ kind: 'put', path, content: Buffer.from(text) });
  }
  return { steps, result };
}

export const modprobeModule = defineModule<ModprobeArgs, ModprobeArgs, ModprobeFacts>({
  name: 'modprobe',
  aliases: ['community.general.modprobe'],
  summary: 'Load or unload kernel modules, and make that persistent',
  checkMode: 'plan',
  schema,
  prepare: (args) => args,
  probe: modprobeProbe,
  parse: parseModprobe,
  plan: planModprobe,
});

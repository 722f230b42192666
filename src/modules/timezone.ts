// community.general.timezone on Linux: the system time zone and whether the hardware clock
// keeps UTC, as the collection's module sets them. With a usable `timedatectl` (systemd)
// it reads `timedatectl status` and runs `timedatectl set-timezone`/`set-local-rtc`.
// Without it, the zone is the first word of /etc/timezone (Debian) or `ZONE="..."` in
// /etc/sysconfig/clock (Red Hat, SL 4.4), /etc/localtime is relinked (Debian, then
// `dpkg-reconfigure tzdata`) or copied (Red Hat), and the hardware clock setting is `UTC=`
// in /etc/default/rcS or /etc/sysconfig/clock plus `hwclock --systohc`.
// Returns `diff` ({before, after} of name and hwclock), as the module does.
//
//   - community.general.timezone:
//       name: Europe/Paris
import type { FromSchema } from 'json-schema-to-ts';
import { parseFileProbe, probeFile, probeScript, type FileFacts, type WithPreRead } from '../facts/file-probe.js';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    hwclock: { type: 'string', enum: ['local', 'UTC'] },
  },
  additionalProperties: false,
} as const;

export type TimezoneArgs = FromSchema<typeof schema>;

export interface TimezoneFacts {
  /** `timedatectl status` output when the command exists and works. */
  timedatectl?: string;
  dpkgReconfigure: boolean;
  files: Record<string, FileFacts>;
  /** sha1 of /usr/share/zoneinfo/NAME when it is a regular file. */
  zoneinfo?: FileFacts;
}

const CONF = { debian: '/etc/timezone', redhat: '/etc/sysconfig/clock', rcS: '/etc/default/rcS', adjtime: '/etc/adjtime', localtime: '/etc/localtime' };
const text = (f: FileFacts | undefined) => (f?.exists && f.content ? f.content.toString('utf8') : undefined);
const truthyWord = (v: string) => ['yes', 'on', '1', 'true', 'y', 't'].includes(v.toLowerCase());

function probe(a: TimezoneArgs): string {
  const files = [probeFile('tz', CONF.debian, { contentMax: 4096 }), probeFile('clock', CONF.redhat, { contentMax: 65536 }), probeFile('rcS', CONF.rcS, { contentMax: 65536 }), probeFile('adjtime', CONF.adjtime, { contentMax: 4096 }), probeFile('lt', CONF.localtime, { checksum: 'sha1' })];
  if (a.name !== undefined) files.push(probeFile('zi', `/usr/share/zoneinfo/${a.name}`, { checksum: 'sha1' }));
  return [
    SBIN_PATH,
    haveTools(['timedatectl', 'dpkg-reconfigure']),
    section('timedatectl', 'command -v timedatectl >/dev/null 2>&1 && LC_ALL=C timedatectl status'),
    `echo '@@files'`,
    probeScript(files),
  ].join('\n');
}

function parse(out: ExecResult): TimezoneFacts {
  const cut = out.stdout.indexOf('\n@@files\n');
  const head = parseSections(out.stdout.slice(0, cut < 0 ? undefined : cut));
  const files = parseFileProbe(Buffer.from(cut < 0 ? '' : out.stdout.slice(cut + '\n@@files\n'.length)), (out as WithPreRead).preread);
  return {
    timedatectl: head.rc.timedatectl === 0 ? head.text.timedatectl : undefined,
    dpkgReconfigure: !!head.have['dpkg-reconfigure'],
    files,
    zoneinfo: files.zi,
  };
}

type Key = 'name' | 'hwclock';

/** The current value of each asked key, as the module's get() reads it. */
function current(a: TimezoneArgs, f: TimezoneFacts, key: Key): string {
  if (f.timedatectl !== undefined) {
    if (key === 'name') return /^\s*Time ?zone\s*:\s*([^\s]+)/m.exec(f.timedatectl)?.[1] ?? 'n/a';
    const rtc = /^\s*RTC in local TZ\s*:\s*([^\s]+)/m.exec(f.timedatectl)?.[1] ?? 'n/a';
    return truthyWord(rtc) ? 'local' : 'UTC';
  }
  const redhat = !f.dpkgReconfigure;
  if (key === 'hwclock') {
    const conf = text(f.files[redhat ? 'clock' : 'rcS']);
    const m = conf === undefined ? undefined : /^UTC\s*=\s*([^\s]+)/m.exec(conf);
    let v = m ? (truthyWord(m[1].replace(/^"|"$/g, '')) ? 'UTC' : 'local') : 'n/a';
    if (v === a.hwclock) {
      const adj = text(f.files.adjtime);
      const am = adj === undefined ? undefined : /^(UTC|LOCAL)$/m.exec(adj);
      v = am ? (am[1] === 'UTC' ? 'UTC' : 'local') : 'UTC';
    }
    return v;
  }
  const planned = a.name!;
  const conf = text(f.files[redhat ? 'clock' : 'tz']);
  let value = 'n/a';
  if (conf !== undefined) {
    const re = redhat ? (/^TIMEZONE\s*=/m.test(conf) ? /^TIMEZONE\s*=\s*"?([^"\s]+)"?/m : /^ZONE\s*=\s*"?([^"\s]+)"?/m) : /^([^\s]+)/m;
    value = re.exec(conf)?.[1] ?? 'n/a';
  }
  if (value !== planned) return value;
  const lt = f.files.lt;
  if (lt?.type === 'link') {
    const m = lt.linkTarget !== undefined ? /(?:\/(?:usr\/share|etc)\/zoneinfo\/)(.*)/.exec(lt.linkTarget) : null;
    if (!m) return 'n/a';
    return m[1] !== planned ? m[1] : value;
  }
  // a copy: compared with the zone's file
  return lt?.exists && f.zoneinfo?.checksum && lt.checksum === f.zoneinfo.checksum ? value : 'n/a';
}

/** The lines of a config file with every `re` line replaced by one `line`, as _edit_file does. */
function editedConf(before: string | undefined, re: RegExp, line: string): string {
  const lines = before === undefined ? [] : (before.match(/[^\n]*\n|[^\n]+$/g) ?? []);
  const matched = lines.map((l, i) => (re.test(l) ? i : -1)).filter((i) => i >= 0);
  const at = matched.length ? matched[0] : 0;
  for (const i of [...matched].reverse()) lines.splice(i, 1);
  lines.splice(at, 0, line);
  return lines.join('');
}

export function planTimezone(a: TimezoneArgs, f: TimezoneFacts, ctx: PlanContext): Plan {
  const keys = (['hwclock', 'name'] as Key[]).filter((k) => a[k] !== undefined);
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  for (const k of keys) {
    before[k] = current(a, f, k);
    after[k] = a[k]!;
  }
  const steps: Step[] = [];
  const put = (path: string, content: string) => steps.push({ kind: 'exec', cmd: `cat > ${quote(path)}`, stdin: content });
  const redhat = !f.dpkgReconfigure;
  // hwclock first: the module walks its argument spec in order
  if (a.hwclock !== undefined && before.hwclock !== a.hwclock) {
    if (f.timedatectl !== undefined) steps.push({ kind: 'exec', cmd: `timedatectl set-local-rtc ${a.hwclock === 'local' ? 'yes' : 'no'}` });
    else {
      const conf = redhat ? CONF.redhat : CONF.rcS;
      put(conf, editedConf(text(f.files[redhat ? 'clock' : 'rcS']), /^UTC\s*=\s*([^\s]+)/m, `UTC=${a.hwclock === 'local' ? 'no' : 'yes'}\n`));
      steps.push({ kind: 'exec', cmd: `hwclock --systohc ${a.hwclock === 'local' ? '--localtime' : '--utc'}` });
    }
  }
  if (a.name !== undefined && before.name !== a.name) {
    if (f.timedatectl === undefined && !(f.zoneinfo?.exists && f.zoneinfo.type === 'file')) throw new ModuleFailure(`Error message:\ngiven timezone "${a.name}" is not available`);
    const zoneFile = `/usr/share/zoneinfo/${a.name}`;
    if (f.timedatectl !== undefined) steps.push({ kind: 'exec', cmd: `timedatectl set-timezone ${quote(a.name)}` });
    else if (!redhat) {
      put(CONF.debian, editedConf(text(f.files.tz), /^([^\s]+)/m, `${a.name}\n`));
      steps.push({ kind: 'exec', cmd: `ln -sf ${quote(zoneFile)} /etc/localtime && DEBIAN_FRONTEND=noninteractive dpkg-reconfigure --frontend noninteractive tzdata >/dev/null` });
    } else {
      const conf = text(f.files.clock);
      const suse = conf !== undefined && /^TIMEZONE\s*=/m.test(conf);
      put(CONF.redhat, editedConf(conf, suse ? /^TIMEZONE\s*=\s*"?([^"\s]+)"?/m : /^ZONE\s*=\s*"?([^"\s]+)"?/m, suse ? `TIMEZONE="${a.name}"\n` : `ZONE="${a.name}"\n`));
      steps.push({ kind: 'exec', cmd: `cp --remove-destination ${quote(zoneFile)} /etc/localtime` });
    }
  }
  const diff = { before, after };
  return {
    steps,
    result: { diff },
    diff: ctx.diff && steps.length ? { before: JSON.stringify(before, null, 4) + '\n', after: JSON.stringify(after, null, 4) + '\n' } : undefined,
  };
}

export const timezoneModule = defineModule<TimezoneArgs, TimezoneArgs, TimezoneFacts>({
  name: 'timezone',
  aliases: ['community.general.timezone'],
  summary: 'Configure timezone setting',
  checkMode: 'plan',
  argAliases: { rtc: 'hwclock' },
  schema,
  constraints: { required_one_of: [['hwclock', 'name']] },
  prepare: (args) => args,
  probe,
  parse,
  plan: planTimezone,
});

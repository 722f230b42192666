// community.general.locale_gen: a locale generated or removed, as the collection's module
// does it. Debian: the locale's line in /etc/locale.gen is uncommented (or commented) and
// `locale-gen` rebuilds the archive. Ubuntu (/var/lib/locales/supported.d exists):
// `locale-gen NAME`, or the name dropped from supported.d/local and `locale-gen --purge`.
// Whether it is there is `locale -a`'s answer, spellings of the charset made uniform.
//
//   - community.general.locale_gen:
//       name: de_CH.UTF-8
//       state: present
import type { FromSchema } from 'json-schema-to-ts';
import { SBIN_PATH, haveTools, parseSections, section } from '../facts/system-probe.js';
import { quote } from '../transport/quote.js';
import type { ExecResult } from '../transport/types.js';
import { ModuleFailure, defineModule, type Plan, type PlanContext, type Step } from './types.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    state: { type: 'string', enum: ['absent', 'present'], default: 'present' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

export type LocaleGenArgs = FromSchema<typeof schema>;

export const LOCALE_GEN = '/etc/locale.gen';
export const SUPPORTED_D = '/var/lib/locales/supported.d/';
const SUPPORTED_LOCAL = '/var/lib/locales/supported.d/local';
const I18N_SUPPORTED = '/usr/share/i18n/SUPPORTED';

export interface LocaleGenFacts {
  ubuntu: boolean;
  localeGenFile: boolean;
  localeGen: boolean;
  locale: boolean;
  /** The text the availability check reads (/etc/locale.gen, or SUPPORTED on Ubuntu); undefined when unreadable. */
  available?: string;
  /** /etc/locale.gen, or supported.d/local on Ubuntu. */
  config?: string;
  /** `locale -a`. */
  installed: string[];
}

export function localeGenProbe(): string {
  return [
    SBIN_PATH,
    haveTools(['locale-gen', 'locale']),
    section('ubuntu', `test -d ${SUPPORTED_D}`),
    section('gen', `cat ${LOCALE_GEN}`),
    `if [ -d ${SUPPORTED_D} ]; then ${section('supported', `cat ${I18N_SUPPORTED}`)}\n${section('local', `cat ${SUPPORTED_LOCAL}`)}\nfi`,
    section('all', 'locale -a'),
  ].join('\n');
}

export function parseLocaleGen(out: ExecResult): LocaleGenFacts {
  const s = parseSections(out.stdout);
  const ubuntu = s.rc.ubuntu === 0;
  const text = (k: string) => (s.rc[k] === 0 ? (s.text[k] === '' ? '' : s.text[k] + '\n') : undefined);
  return {
    ubuntu,
    localeGenFile: s.rc.gen === 0,
    localeGen: !!s.have['locale-gen'],
    locale: !!s.have.locale,
    available: ubuntu ? text('supported') : text('gen'),
    config: ubuntu ? text('local') : text('gen'),
    installed: s.rc.all === 0 ? s.text.all.split('\n').filter((l) => l !== '') : [],
  };
}

const NORMALIZATION: [string, string][] = [
  ['.utf8', '.UTF-8'],
  ['.eucjp', '.EUC-JP'],
  ['.iso885915', '.ISO-8859-15'],
  ['.cp1251', '.CP1251'],
  ['.koi8r', '.KOI8-R'],
  ['.armscii8', '.ARMSCII-8'],
  ['.euckr', '.EUC-KR'],
  ['.gbk', '.GBK'],
  ['.gb18030', '.GB18030'],
  ['.euctw', '.EUC-TW'],
];

/** `locale -a` spells charsets its own way: both sides are made uniform before comparing. */
export function fixCase(name: string): string {
  for (const [s, r] of NORMALIZATION) name = name.split(s).join(r);
  return name;
}

/** The name as the module's regular expressions use it (unescaped there; escaped when it would not compile). */
function nameRe(name: string): string {
  try {
    new RegExp(name);
    return name;
  } catch {
    return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
}

/** /etc/locale.gen with the locale's line(s) enabled or commented, as set_locale rewrites them. */
export function setLocale(text: string, name: string, enabled: boolean): string {
  const re = new RegExp(`#?\\s*${nameRe(name)} (.+)`, 'g');
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return lines.map((l) => l.replace(re, (_m, charset: string) => (enabled ? `${name} ${charset}` : `# ${name} ${charset}`))).join('');
}

export function planLocaleGen(a: LocaleGenArgs, f: LocaleGenFacts, ctx: PlanContext): Plan {
  if (!f.ubuntu && !f.localeGenFile) throw new ModuleFailure('/etc/locale.gen and /var/lib/locales/supported.d/local are missing. Is the package "locales" installed?');
  const re = f.ubuntu ? /^(\S+_\S+) (\S+)\s*$/ : /^#?\s*(\S+_\S+) (\S+)\s*$/;
  const available = (f.available ?? '').split('\n').some((l) => re.exec(l)?.[1] === a.name);
  if (!available) throw new ModuleFailure("The locale you've entered is not available on your system.");
  if (!f.locale) throw new ModuleFailure(`Failed to find required executable "locale" on ${ctx.host}`);
  const present = f.installed.some((l) => fixCase(l) === fixCase(a.name));
  const changed = present !== (a.state === 'present');
  if (ctx.check) return { steps: [], changed, result: {} };
  const steps: Step[] = [];
  if (changed) {
    if (!f.localeGen) throw new ModuleFailure(`Failed to find required executable "locale-gen" on ${ctx.host}`);
    // the module's message for a failed locale-gen, errno and all
    const gen = (words: string) => ({
      kind: 'exec' as const,
      cmd: `${SBIN_PATH}; locale-gen${words} >/dev/null 2>&1 || { rp_r=$?; echo "[Errno $rp_r] locale.gen failed to execute, it returned $rp_r" >&2; exit 1; }`,
      stderrIsMessage: true,
    });
    if (!f.ubuntu) {
      steps.push({ kind: 'put', path: LOCALE_GEN, content: Buffer.from(setLocale(f.config ?? '', a.name, a.state === 'present')) }, gen(''));
    } else if (a.state === 'present') steps.push(gen(` ${quote(a.name)}`));
    else {
      const kept = (f.config?.match(/[^\n]*\n|[^\n]+$/g) ?? []).filter((l) => l.split(' ')[0] !== a.name);
      steps.push({ kind: 'put', path: SUPPORTED_LOCAL, content: Buffer.from(kept.join('')) }, gen(' --purge'));
    }
  }
  return { steps, changed, result: { name: a.name, msg: 'OK' } };
}

export const localeGenModule = defineModule<LocaleGenArgs, LocaleGenArgs, LocaleGenFacts>({
  name: 'locale_gen',
  aliases: ['community.general.locale_gen'],
  summary: 'Creates or removes locales',
  checkMode: 'plan',
  schema,
  prepare: (args) => args,
  probe: () => localeGenProbe(),
  parse: (out) => parseLocaleGen(out),
  plan: planLocaleGen,
});

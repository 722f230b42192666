// locale_gen's pure half: probe output built as the probe prints it goes through the real
// parser; each row's plan is checked, and the row planned again with its finished state
// (what `locale -a` says afterwards) plans nothing.
import { describe, expect, it } from 'vitest';
import { fixCase, parseLocaleGen, planLocaleGen, setLocale, type LocaleGenArgs } from '../../src/modules/locale-gen.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';
import { have, out, sec } from './system-test-helpers.js';

const GEN = '# This file lists locales that you wish to have built.\n#\n# de_CH.UTF-8 UTF-8\n# en_GB ISO-8859-1\n# en_GB.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n';

interface Host {
  ubuntu?: boolean;
  gen?: string;
  supported?: string;
  local?: string;
  all: string[];
}

function facts(h: Host) {
  const parts = [have({ 'locale-gen': true, locale: true }), sec('ubuntu', '', h.ubuntu ? 0 : 1), h.gen === undefined ? sec('gen', 'cat: /etc/locale.gen: No such file or directory', 1) : sec('gen', h.gen)];
  if (h.ubuntu) parts.push(sec('supported', h.supported ?? ''), sec('local', h.local ?? ''));
  parts.push(sec('all', h.all.join('\n')));
  return parseLocaleGen(out(...parts));
}

const plan = (a: Partial<LocaleGenArgs>, h: Host, check = false): Plan => planLocaleGen({ name: 'de_CH.UTF-8', state: 'present', ...a } as LocaleGenArgs, facts(h), { check, diff: false, host: 'lab1', vars: {} });
const show = (p: Plan) => p.steps.map((s) => (s.kind === 'put' ? `put ${s.path}\n${s.content.toString()}` : s.cmd.replace(/^.*export PATH; /, '').replace(/ >\/dev\/null.*$/, '')));

describe('locale_gen', () => {
  it('makes charset spellings uniform as the module does', () => {
    expect(fixCase('de_CH.utf8')).toBe('de_CH.UTF-8');
    expect(fixCase('ja_JP.eucjp')).toBe('ja_JP.EUC-JP');
  });

  it('enables and disables a line of /etc/locale.gen', () => {
    expect(setLocale(GEN, 'de_CH.UTF-8', true)).toBe(GEN.replace('# de_CH.UTF-8 UTF-8', 'de_CH.UTF-8 UTF-8'));
    expect(setLocale(GEN, 'en_US.UTF-8', false)).toBe(GEN.replace('\nen_US.UTF-8 UTF-8', '\n# en_US.UTF-8 UTF-8'));
  });

  const CASES: [string, Partial<LocaleGenArgs>, Host, string[], Host][] = [
    ['Debian: generates a locale', {}, { gen: GEN, all: ['C', 'C.utf8', 'POSIX', 'en_US.utf8'] }, [`put /etc/locale.gen\n${setLocale(GEN, 'de_CH.UTF-8', true)}`, 'locale-gen'], { gen: setLocale(GEN, 'de_CH.UTF-8', true), all: ['C', 'de_CH.utf8', 'en_US.utf8'] }],
    ['Debian: removes a locale', { name: 'en_US.UTF-8', state: 'absent' }, { gen: GEN, all: ['C', 'en_US.utf8'] }, [`put /etc/locale.gen\n${setLocale(GEN, 'en_US.UTF-8', false)}`, 'locale-gen'], { gen: setLocale(GEN, 'en_US.UTF-8', false), all: ['C'] }],
    ['Ubuntu: generates a locale', {}, { ubuntu: true, supported: 'de_CH.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n', local: 'en_US.UTF-8 UTF-8\n', all: ['C', 'en_US.utf8'] }, ['locale-gen de_CH.UTF-8'], { ubuntu: true, supported: 'de_CH.UTF-8 UTF-8\n', all: ['de_CH.utf8'] }],
    [
      'Ubuntu: removes a locale',
      { name: 'en_US.UTF-8', state: 'absent' },
      { ubuntu: true, supported: 'de_CH.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n', local: 'de_CH.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n', all: ['de_CH.utf8', 'en_US.utf8'] },
      ['put /var/lib/locales/supported.d/local\nde_CH.UTF-8 UTF-8\n', 'locale-gen --purge'],
      { ubuntu: true, supported: 'en_US.UTF-8 UTF-8\n', all: ['de_CH.utf8'] },
    ],
  ];
  it.each(CASES)('%s', (_n, a, before, expected, finished) => {
    const p = plan(a, before);
    expect(show(p)).toEqual(expected);
    expect(p.result).toEqual({ name: a.name ?? 'de_CH.UTF-8', msg: 'OK' });
    // check mode returns `changed` alone, as the module's exit_json(changed=...) does
    expect(plan(a, before, true)).toEqual({ steps: [], changed: true, result: {} });
    const done = plan(a, finished);
    expect([done.steps, done.changed]).toEqual([[], false]);
  });

  const failure = (a: Partial<LocaleGenArgs>, h: Host) => {
    try {
      plan(a, h);
    } catch (e) {
      if (e instanceof ModuleFailure) return e.message;
      throw e;
    }
    return undefined;
  };

  it('fails as the module does', () => {
    expect(failure({}, { all: [] })).toBe('/etc/locale.gen and /var/lib/locales/supported.d/local are missing. Is the package "locales" installed?');
    expect(failure({ name: 'xx_YY.UTF-8' }, { gen: GEN, all: [] })).toBe("The locale you've entered is not available on your system.");
  });
});

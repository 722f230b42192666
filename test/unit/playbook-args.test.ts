import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { joinArgs, parseKv, parseYamlFile, splitArgs, validateModuleArgs } from '../../src/playbook/index.js';
import { testModules } from '../fixtures/playbooks/test-registry.js';

const def = (name: string) => testModules.find((m) => m.name === name)!;
const pos = { file: 'x.yml', line: 3, col: 5 };

describe('splitArgs / parseKv (Ansible parse_kv)', () => {
  it('keeps quoted values and Jinja2 blocks together', () => {
    expect(splitArgs('a=1 b="two words" c={{ x | default("y z") }}')).toEqual(['a=1', 'b="two words"', 'c={{ x | default("y z") }}']);
    expect(parseKv('msg="hello world" other=\'x y\'', false).options).toEqual({ msg: 'hello world', other: 'x y' });
  });

  it('extracts only the command words for command-like modules', () => {
    const r = parseKv('chdir=/srv creates=/srv/done ./configure --prefix=/usr FOO=bar', true);
    expect(r.options).toEqual({ chdir: '/srv', creates: '/srv/done' });
    expect(r.raw).toBe('./configure --prefix=/usr FOO=bar');
  });

  it('puts non k=v words into the raw part for non-command modules', () => {
    expect(parseKv('flush_handlers', false)).toEqual({ options: {}, raw: 'flush_handlers' });
  });

  it('keeps escaped equals signs out of the key split and decodes escapes in values', () => {
    expect(parseKv('a\\=b', false).raw).toBe('a=b');
    expect(parseKv('line="a\\tb"', false).options.line).toBe('a\tb');
  });

  it('preserves newlines of a multi-line shell script, and joins backslash-continued lines', () => {
    expect(parseKv('echo a\necho  b\n', true).raw).toBe('echo a\necho  b\n');
    expect(parseKv('ls \\\n -l', true).raw).toBe('ls -l');
  });

  it('reports unbalanced quotes and templates as UserErrors', () => {
    expect(() => splitArgs('a="x', pos)).toThrow(UserError);
    expect(() => splitArgs('a={{ x', pos)).toThrow(/unbalanced jinja2 block or quotes/);
  });

  it('joins split words back to the original text when spaces are single', () => {
    const word = fc.stringMatching(/^[a-z0-9=./-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const text = words.join(' ');
        expect(joinArgs(splitArgs(text))).toBe(text);
      }),
    );
  });
});

describe('validateModuleArgs', () => {
  it('applies aliases, Ansible conversions and (once rendered) defaults', () => {
    const out = validateModuleArgs(def('file'), { dest: '/x', state: 'directory', recurse: 'yes', mode: 420 }, pos, { rendered: true });
    expect(out).toEqual({ path: '/x', state: 'directory', recurse: true, mode: 420 });
    expect(validateModuleArgs(def('package'), { name: 'a, b' }, pos, { rendered: true })).toEqual({ name: ['a', 'b'], state: 'present' });
    expect(validateModuleArgs(def('debug'), { verbosity: '2' }, pos, { rendered: true })).toEqual({ verbosity: 2 });
    expect(validateModuleArgs(def('copy'), { dest: '/d', content: 5 }, pos, { rendered: true }).content).toBe('5');
  });

  it('does not fill defaults before rendering', () => {
    expect(validateModuleArgs(def('file'), { path: '/x' }, pos, { rendered: false })).toEqual({ path: '/x' });
  });

  it('skips type and enum checks for templated values until rendered', () => {
    const args = { path: '/x', state: '{{ wanted_state }}', mode: '{{ m }}' };
    expect(() => validateModuleArgs(def('file'), args, pos, { rendered: false })).not.toThrow();
    expect(() => validateModuleArgs(def('file'), { path: '/x', state: 'directoryy' }, pos, { rendered: true })).toThrow(
      /value of state must be one of: absent, directory, file, hard, link, touch, got: directoryy/,
    );
  });

  it('still reports unknown and missing arguments next to templates', () => {
    expect(() => validateModuleArgs(def('file'), { state: '{{ s }}' }, pos, { rendered: false })).toThrow(/missing required arguments: path/);
    const err = (() => {
      try {
        validateModuleArgs(def('copy'), { dest: '{{ d }}', srcc: 'a' }, pos, { rendered: false });
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(err?.message).toContain('Unsupported parameters for (copy) module: srcc');
    expect(err?.hint).toBe('did you mean `src`?');
    expect(err?.pos).toEqual(pos);
  });

  it('reports type errors with the value type', () => {
    expect(() => validateModuleArgs(def('copy'), { dest: '/d', content: 'x', backup: 'maybe' }, pos, { rendered: true })).toThrow(/argument 'backup' is of type str and we were unable to convert to bool/);
  });
});

describe('parseYamlFile', () => {
  it('uses YAML 1.1 scalars like PyYAML and keeps vault values', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'rackplay-yaml-'));
    const f = path.join(d, 'v.yml');
    writeFileSync(f, 'a: yes\nb: off\nc: 0644\nd: y\ne: 1e3\nf: 1.5e+3\ng: 2024-01-02\nh: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nlist:\n  - x: 1\ni: .\nj: .5\nk: 2.\nl: -.\n');
    const y = await parseYamlFile(f);
    expect(y.data).toEqual({ a: true, b: false, c: 420, d: 'y', e: '1e3', f: 1500, g: '2024-01-02', h: { __vault__: '$ANSIBLE_VAULT;1.1;AES256\n6162\n' }, list: [{ x: 1 }], i: '.', j: 0.5, k: 2, l: '-.' });
    expect(y.posOf(['list', 0, 'x'])).toEqual({ file: f, line: 12, col: 8 });
    expect(y.posOf(['c'])).toEqual({ file: f, line: 3, col: 4 });
  });
});

describe('parse_kv escapes', () => {
  it('decodes the escapes Ansible does, and leaves a backreference like \\1 alone', () => {
    expect(parseKv(`regexp='\\b(.+)\\\\b' replace='"\\1"' t='a\\tb\\x41'`, false).options).toEqual({ regexp: '\b(.+)\\b', replace: '"\\1"', t: 'a\tbA' });
  });
});

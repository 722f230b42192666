// Python-compatible value formatting. Expected strings are what CPython prints for
// json.dumps(..., sort_keys=True) (Ansible's _dump_results) and repr() (loop item labels).
import { describe, expect, it } from 'vitest';
import { pyJsonDumps, pyRepr, pyStr } from '../../src/output/py-format.js';
import { shouldUseColor } from '../../src/output/index.js';
import { wrapText, textWidth } from '../../src/output/text.js';

describe('pyJsonDumps', () => {
  it('uses ", " and ": " when compact, escapes like Python (lowercase \\u00XX), keeps insertion order unless sorting', () => {
    const v = { b: 'é\u0001"\\', a: [1, {}], c: [] };
    expect(pyJsonDumps(v, { sortKeys: false })).toBe('{"b": "é\\u0001\\"\\\\", "a": [1, {}], "c": []}');
    expect(pyJsonDumps(v)).toBe('{"a": [1, {}], "b": "é\\u0001\\"\\\\", "c": []}');
  });

  it('indents with "," separators, empty containers inline, ensure_ascii on request', () => {
    expect(pyJsonDumps({ b: 'é', a: [] }, { indent: 4, ensureAscii: true })).toBe('{\n    "a": [],\n    "b": "\\u00e9"\n}');
  });

  it('prints null for undefined-free nulls, drops undefined keys, survives cycles', () => {
    const cyc: Record<string, unknown> = { x: null, y: undefined };
    cyc.self = cyc;
    expect(pyJsonDumps(cyc)).toBe('{"self": "<circular>", "x": null}');
  });
});

describe('pyRepr / pyStr', () => {
  it('matches Python repr quoting rules', () => {
    expect(pyRepr({ a: "it's", b: 'x"y', c: 'both\'"', d: 'tab\there\n', e: [1, null, true, 1.5] })).toBe(
      `{'a': "it's", 'b': 'x"y', 'c': 'both\\'"', 'd': 'tab\\there\\n', 'e': [1, None, True, 1.5]}`,
    );
  });

  it("is '%s' % value: strings raw, the rest repr'd", () => {
    expect(pyStr('plain')).toBe('plain');
    expect(pyStr(false)).toBe('False');
    expect(pyStr(['a'])).toBe("['a']");
  });
});

describe('wrapText (textwrap.wrap)', () => {
  it('breaks between words within the width and splits over-long words', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('x ' + 'y'.repeat(10), 5)).toEqual(['x yyy', 'yyyyy', 'yy']);
    expect(wrapText('one\ntwo', 80)).toEqual(['one two']);
  });

  it('measures wide characters as two columns', () => {
    expect(textWidth('日本')).toBe(4);
    expect(textWidth('é')).toBe(1);
  });
});

describe('shouldUseColor', () => {
  const tty = { isTTY: true } as unknown as NodeJS.WriteStream;
  const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;

  it('colors a TTY and not a pipe', () => {
    expect(shouldUseColor(tty, {})).toBe(true);
    expect(shouldUseColor(pipe, {})).toBe(false);
    expect(shouldUseColor(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('honors NO_COLOR and ANSIBLE_NOCOLOR, and lets ANSIBLE_FORCE_COLOR / FORCE_COLOR win', () => {
    expect(shouldUseColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor(tty, { NO_COLOR: '' })).toBe(true);
    expect(shouldUseColor(tty, { ANSIBLE_NOCOLOR: 'yes' })).toBe(false);
    expect(shouldUseColor(tty, { ANSIBLE_NOCOLOR: 'false' })).toBe(true);
    expect(shouldUseColor(pipe, { ANSIBLE_FORCE_COLOR: 'true' })).toBe(true);
    expect(shouldUseColor(pipe, { ANSIBLE_FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(shouldUseColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldUseColor(tty, { FORCE_COLOR: '0' })).toBe(false);
  });
});

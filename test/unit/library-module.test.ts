// Library modules: what kind a file is, the arguments file an old-style module sources,
// and the JSON read back from its output, as Ansible's module_common and action base do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterNonJsonLines, parseModuleOutput } from '../../src/modules/library-module-output.js';
import { classifyModuleSource, isBinary, oldStyleArgsFile, pyText } from '../../src/modules/library-module-source.js';
import { ModuleRegistry } from '../../src/modules/registry.js';
import { findLibraryModule, resolveModuleName } from '../../src/playbook/library-modules.js';

const out = (stdout: string, rc = 0, stderr = '') => ({ rc, stdout, stderr, stdoutBytes: Buffer.from(stdout) });

describe('the old-style arguments file', () => {
  it('writes key=value words with Python text of each value', () => {
    expect(oldStyleArgsFile({ name: 'Ansible', n: 3, on: true, off: false, none: null })).toBe('name=Ansible n=3 on=True off=False none=None ');
    expect(oldStyleArgsFile({ l: [1, 'a'] })).toBe(`l='[1, '\\''a'\\'']' `);
    expect(pyText({ k: "it's", q: `a'b"c`, n: [null, 1.5, true] })).toBe(`{'k': "it's", 'q': 'a\\'b"c', 'n': [None, 1.5, True]}`);
  });

  it('gives each value back unchanged when a shell sources the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rackplay-args-'));
    const args = { plain: 'x', spaced: 'a b  c', quotes: `it's "q" $HOME \`id\` \\ ;|&`, empty: '', newline: 'one\ntwo' };
    writeFileSync(path.join(dir, 'args'), oldStyleArgsFile(args));
    const script = `. "$1"; for v in plain spaced quotes empty newline; do eval "printf '%s\\0' \\"\\$$v\\""; done`;
    const r = spawnSync('/bin/sh', ['-c', script, 'sh', path.join(dir, 'args')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(Object.values(args));
  });

  it('quotes a key that is no shell name, so sourcing the file cannot run it', () => {
    expect(oldStyleArgsFile({ 'a;touch x': 1 })).toBe(`'a;touch x'=1 `);
  });
});

describe('what a library module is', () => {
  const kind = (text: string | Buffer) => classifyModuleSource('m', Buffer.isBuffer(text) ? text : Buffer.from(text));
  it('runs shell modules old style, WANT_JSON and JSON-args ones with JSON', () => {
    expect(kind('#!/bin/sh\n. "$1"\n')).toEqual({ kind: 'runnable', style: 'old', interpreter: ['/bin/sh'] });
    expect(kind('#!/usr/bin/env bash\n# WANT_JSON\n')).toEqual({ kind: 'runnable', style: 'want_json', interpreter: ['/usr/bin/env', 'bash'] });
    expect(kind('#!/bin/sh\nargs=<<INCLUDE_ANSIBLE_MODULE_JSON_ARGS>>\n')).toMatchObject({ style: 'jsonargs' });
    expect(kind(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1]))).toMatchObject({ style: 'binary' });
  });

  it('refuses Python and PowerShell modules, and scripts without an interpreter line', () => {
    for (const text of ['#!/usr/bin/python\nprint(1)\n', '#!/usr/bin/env python3\n', '#!/bin/sh\nfrom ansible.module_utils.basic import AnsibleModule\n', 'import ansible.module_utils.basic\n']) {
      const k = kind(text);
      expect(k.kind).toBe('refused');
      expect(k.kind === 'refused' && k.reason).toMatch(/rackplay runs no Python on targets/);
    }
    expect(kind('#Requires -Module Ansible.ModuleUtils.Legacy\n')).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/PowerShell/) });
    expect(kind('echo hi\n')).toEqual({ kind: 'refused', reason: 'module (m) is missing interpreter line' });
  });

  it('takes text with tabs and escapes for text, and NUL or DEL for binary', () => {
    expect(isBinary(Buffer.from('a\tb\x1bc\n'))).toBe(false);
    expect(isBinary(Buffer.from('a\x00b'))).toBe(true);
    expect(isBinary(Buffer.from('a\x7fb'))).toBe(true);
  });
});

describe('the JSON in a module output', () => {
  it('drops lines before the object and after its closing brace, warning about trailing ones', () => {
    const r = filterNonJsonLines('junk\n[ a list ]\n  {"a":\n 1}\nmore junk\n\n', true);
    expect(r).toEqual({ json: '  {"a":\n 1}', warnings: ['Module invocation had junk after the JSON data: more junk\n'] });
    expect(filterNonJsonLines('{"a": 1}\n\n  \n', true).warnings).toEqual([]);
  });

  it('takes a list only when not asked for objects only', () => {
    expect(filterNonJsonLines('x\n[1, 2]\n').json).toBe('[1, 2]');
    expect(() => filterNonJsonLines('x\n[1, 2]\n', true)).toThrow('No start of json char found');
    expect(() => filterNonJsonLines('{ "a": 1\nx', true)).toThrow('No end of json char found');
  });

  it('reads the result, with the junk warning, split output lines and internal keys removed', () => {
    const r = parseModuleOutput(out('motd\n{"changed": true, "stdout": "a\\nb", "_ansible_no_log": true, "add_host": {}, "warnings": []}\nbye\n'), ['/bin/sh']);
    expect(r.result).toEqual({ changed: true, stdout: 'a\nb', stdout_lines: ['a', 'b'] });
    expect(r.warnings).toEqual([
      'Module invocation had junk after the JSON data: bye',
      'Removed unexpected internal key in module return: _ansible_no_log = True',
      'Removed unexpected internal key in module return: add_host = {}',
    ]);
  });

  it('makes output without a JSON object a MODULE FAILURE with the raw output', () => {
    expect(parseModuleOutput(out('not json\n', 3, 'oops'), ['/bin/sh']).result).toEqual({
      failed: true,
      _ansible_parsed: false,
      module_stdout: 'not json\n',
      module_stderr: 'oops',
      msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error',
      rc: 3,
    });
    const missing = parseModuleOutput(out('', 127, '/bin/sh: /usr/bin/fish: not found\n/usr/bin/fish: not found'), ['/usr/bin/fish']).result;
    expect(missing.msg).toBe('The module failed to execute correctly, you probably need to set the interpreter.\nSee stdout/stderr for the exact error');
  });
});

describe('finding a library module', () => {
  it('finds NAME or NAME.ext in the first directory that has it, and registers it', () => {
    const a = mkdtempSync(path.join(os.tmpdir(), 'rackplay-lib-'));
    const b = mkdtempSync(path.join(os.tmpdir(), 'rackplay-lib-'));
    writeFileSync(path.join(b, 'hello.sh'), '#!/bin/sh\n');
    writeFileSync(path.join(a, 'other'), '#!/bin/sh\n');
    expect(findLibraryModule('hello', [path.join(a, 'missing'), a, b])).toBe(path.join(b, 'hello.sh'));
    const reg = new ModuleRegistry([]);
    expect(resolveModuleName(reg, 'ansible.legacy.hello', () => [a, b])).toBe(true);
    expect(reg.get('hello')?.libraryFile).toBe(path.join(b, 'hello.sh'));
    expect(reg.has('ansible.builtin.hello')).toBe(false);
    expect(resolveModuleName(reg, 'nothere', () => [a, b])).toBe(false);
    expect(resolveModuleName(reg, 'ns.col.other', () => [a, b])).toBe(false);
  });
});

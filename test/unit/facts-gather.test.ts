import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectFacts, filterFacts, GatherSubsetError, resolveSubsets, sectionsFor } from '../../src/facts/collect.js';
import { ALL_SECTIONS, buildGatherScript, splitSections } from '../../src/facts/gather.js';

describe('splitSections', () => {
  it('keeps each section byte for byte, with or without a final newline', () => {
    const out = '\n@@@N1:a\nline1\nline2\n\n@@@N1:b\nno newline\n@@@N1:c\n\n@@@N1:end\n';
    const s = splitSections(out, 'N1');
    expect(s.get('a')).toBe('line1\nline2\n');
    expect(s.get('b')).toBe('no newline');
    expect(s.get('c')).toBe('');
    expect(s.has('end')).toBe(false);
  });

  it('ignores markers carrying another nonce (file content cannot forge a section)', () => {
    const out = '\n@@@N1:a\nx\n@@@EVIL:b\ny\n\n@@@N1:end\n';
    const s = splitSections(out, 'N1');
    expect(s.get('a')).toBe('x\n@@@EVIL:b\ny\n');
    expect(s.has('b')).toBe(false);
  });
});

describe('buildGatherScript', () => {
  it('contains only the chosen sections and rejects unsafe nonces', () => {
    const script = buildGatherScript('abc123', sectionsFor(['min']));
    expect(script).toContain('s uname;');
    expect(script).not.toContain('s cpuinfo;');
    expect(() => buildGatherScript("x'; rm -rf /", ALL_SECTIONS)).toThrow();
  });
});

describe('the python section', () => {
  // Ansible's answer, from the interpreter itself: importing ssl is what the section avoids.
  const ansibleAnswer = (py: string) =>
    execFileSync(py, ['-c', 'import sys, ssl; print(" ".join(map(str, tuple(sys.version_info)[:5]))); print(hasattr(ssl, "SSLContext") and hasattr(ssl, "create_default_context"))'], { encoding: 'utf8' }).split('\n');
  const section = (py: string) => {
    const script = buildGatherScript('N1', ['python']).replace('for p in /usr/bin/python3 ', `for p in ${py} `);
    return splitSections(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }), 'N1').get('python')!.split('\n');
  };
  // Debian's python3 always; a Python 2.7 where this machine has one (CI machines do not).
  const py27 = ['/usr/bin/python2.7', `${process.env.HOME}/.pyenv/versions/2.7.18/bin/python2.7`].find((p) => existsSync(p));
  const check = (py: string) => {
    const [version, ssl] = ansibleAnswer(py);
    const [exe, v, , s, impl] = section(py);
    expect(exe).toBe(py);
    expect(v).toBe(version);
    expect(s).toBe(ssl);
    expect(impl.toLowerCase()).toBe('cpython');
  };
  it("matches what Debian's python3 itself says, without importing ssl", () => check('/usr/bin/python3'));
  it.skipIf(!py27)('matches what Python 2.7 itself says (skipped: no Python 2.7 on this machine)', () => check(py27!));
});

describe('resolveSubsets', () => {
  it.each([
    [undefined, ['min', 'hardware', 'network', 'virtual']],
    [['all'], ['min', 'hardware', 'network', 'virtual']],
    [['min'], ['min']],
    [['!all'], ['min']],
    [['!hardware'], ['min', 'network', 'virtual']],
    [['!all', 'network'], ['min', 'network']],
    [['all', '!virtual'], ['min', 'hardware', 'network']],
    [['cpu'], ['min', 'hardware']],
  ])('%j → %j', (subset, groups) => {
    expect(resolveSubsets(subset)).toEqual(groups);
  });

  it('rejects unknown subsets with the allowed list', () => {
    expect(() => resolveSubsets(['hardwar'])).toThrow(GatherSubsetError);
    expect(() => resolveSubsets(['hardwar'])).toThrow(/allowed: all, min, hardware/);
  });
});

describe('filterFacts', () => {
  const facts = { ansible_eth0: 1, ansible_eth1: 2, ansible_lo: 3, ansible_distribution: 4, ansible_distribution_version: 5 };
  it.each([
    [['ansible_eth*'], ['ansible_eth0', 'ansible_eth1']],
    [['ansible_distribution', 'ansible_lo'], ['ansible_lo', 'ansible_distribution']],
    [['ansible_eth[!0]'], ['ansible_eth1']],
    [['*'], Object.keys(facts)],
    [[], Object.keys(facts)],
  ])('%j', (filters, keys) => {
    expect(Object.keys(filterFacts(facts, filters))).toEqual(keys);
  });
});

describe('collectFacts', () => {
  it('omits hardware facts when the hardware group was not gathered', () => {
    const sections = new Map([['uname', 'Linux\nh\n6.1.0\n#1 SMP\nx86_64\n'], ['cpuinfo', 'processor\t: 0\n']]);
    const min = collectFacts(sections, ['min']);
    expect(min.ansible_system).toBe('Linux');
    expect(min).not.toHaveProperty('ansible_processor');
    expect(collectFacts(sections, ['min', 'hardware'])).toHaveProperty('ansible_processor_vcpus', 1);
  });
});

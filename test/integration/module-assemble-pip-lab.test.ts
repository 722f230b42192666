// assemble and pip over real SSH on lab hosts, each run check → apply → apply → check.
// pip installs wheels built by this test (two tiny pure-Python packages zipped by hand)
// from a directory on the host into a virtualenv, with no index and no network; the
// wheels reach the host through the playbook's own copy task. assemble joins fragments
// on the host and from the controller. With Debian's ansible-playbook, every run also
// goes through it against a second lab host and must print the same task lines, recap
// and debug messages.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectSameRun, haveAnsiblePlaybook, parseRecap, runCommand, runRackplay, type CliRun } from '../helpers/cli.js';
import { hostShell, labHostVars, startLab, type Lab, type LabHost } from '../lab/lab.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

const isRoot = process.getuid?.() === 0;
const havePython = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import venv, ensurepip, zipfile'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A wheel is a zip with the package, METADATA, WHEEL and a RECORD of sha256 digests. */
const MAKE_WHEELS = `
import sys, zipfile, hashlib, base64
out = sys.argv[1]
for spec in sys.argv[2:]:
    name, version = spec.split('==')
    dist = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f"VERSION = '{version}'\\n",
             f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
             f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: rackplay-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    record = [f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b'=').decode()},{len(c.encode())}" for p, c in files.items()]
    files[f"{dist}/RECORD"] = "\\n".join(record + [f"{dist}/RECORD,,"]) + "\\n"
    with zipfile.ZipFile(f"{out}/{name}-{version}-py3-none-any.whl", "w") as z:
        for p, c in files.items():
            z.writestr(p, c)
`;

const PLAYBOOK = `- hosts: all
  gather_facts: false
  environment:
    PIP_NO_INDEX: "1"
    PIP_FIND_LINKS: /srv/wheels
    PIP_DISABLE_PIP_VERSION_CHECK: "1"
  tasks:
    - copy: {src: wheels/, dest: /srv/wheels/}
    - copy: {src: frags/, dest: /srv/frags/}
    - assemble: {src: /srv/frags, dest: /srv/app.conf, delimiter: '# --', mode: '0640'}
      register: a
    - assemble: {src: frags, dest: /srv/local.conf, remote_src: false, ignore_hidden: true}
      register: l
    - pip: {name: ['rp_demo==1.0'], virtualenv: /srv/venv, virtualenv_command: python3 -m venv}
      register: p
    - pip: {name: ['rp-other>=0.1', '<1'], virtualenv: /srv/venv}
      register: q
    - debug: msg="assemble {{ a.changed }} {{ a.checksum | default('-') }} {{ l.changed }} {{ l.checksum | default('-') }}"
    - debug: msg="pip {{ p.changed }} {{ p.state | default('-') }} {{ p.virtualenv | default('-') }} {{ q.changed }} {{ q.name | default('-') }}"
`;

describe.skipIf(!isRoot || !havePython)(`assemble and pip on lab hosts (needs root for the lab and python3 with venv; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rackplay-assemble-pip-lab-'));
  let lab: Lab;
  let ours: LabHost;
  let theirs: LabHost;
  const sh = async (h: LabHost, cmd: string) => (await hostShell(h, cmd)).stdout;

  beforeAll(async () => {
    mkdirSync(path.join(work, 'wheels'));
    execFileSync('/usr/bin/python3', ['-c', MAKE_WHEELS, path.join(work, 'wheels'), 'rp_demo==1.0', 'rp_demo==2.0', 'rp_other==0.1']);
    mkdirSync(path.join(work, 'frags'));
    writeFileSync(path.join(work, 'frags/10-main'), 'main = 1\n');
    writeFileSync(path.join(work, 'frags/20-extra'), 'extra = 2');
    writeFileSync(path.join(work, 'frags/.hidden'), 'hidden = 3\n');
    writeFileSync(path.join(work, 'pb.yml'), PLAYBOOK);
    lab = await startLab({ count: 2, dir: path.join(work, 'lab') });
    [ours, theirs] = lab.hosts;
    for (const [file, h] of [['ours.json', ours], ['theirs.json', theirs]] as const) {
      writeFileSync(path.join(work, file), JSON.stringify({ all: { hosts: { lab: labHostVars(lab, h) } } }));
    }
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  async function both(check: boolean): Promise<{ mine: CliRun; ref?: CliRun }> {
    const flags = check ? ['--check'] : [];
    const env = { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: '' };
    const mine = await runRackplay(['-i', 'ours.json', 'pb.yml', ...flags], { cwd: work, env, timeoutMs: 300_000 });
    if (!haveAnsiblePlaybook) return { mine };
    const ref = await runCommand('ansible-playbook', ['-i', 'theirs.json', 'pb.yml', ...flags], { cwd: work, env, timeoutMs: 300_000 });
    return { mine, ref };
  }

  it('check → apply → apply (nothing to do) → check', async () => {
    const expected: [boolean, (changed: number) => boolean][] = [
      [true, (c) => c > 0],
      [false, (c) => c > 0],
      [false, (c) => c === 0],
      [true, (c) => c === 0],
    ];
    for (const [i, [check, ok]] of expected.entries()) {
      const { mine, ref } = await both(check);
      expect(mine.code, mine.stdout + mine.stderr).toBe(0);
      const recap = parseRecap(mine.stdout).lab;
      expect(recap.failed).toBe(0);
      expect(ok(recap.changed), `run ${i + 1}: changed=${recap.changed}\n${mine.stdout}`).toBe(true);
      // as in Ansible, assemble does not run in check mode
      if (check) expect(recap.skipped).toBe(2);
      if (i === 0) expect((await hostShell(ours, 'test -e /srv/venv || test -e /srv/app.conf')).rc).not.toBe(0);
      if (ref) expectSameRun({ ours: mine, theirs: ref });
    }
    // hidden fragments count unless ignore_hidden; the last fragment keeps its missing newline
    expect(await sh(ours, 'cat /srv/app.conf; echo; stat -c %a /srv/app.conf')).toBe('hidden = 3\n# --\nmain = 1\n# --\nextra = 2\n640\n');
    expect(await sh(ours, 'cat /srv/local.conf')).toBe('main = 1\nextra = 2');
    expect(await sh(ours, "/srv/venv/bin/python -c 'import rp_demo, rp_other; print(rp_demo.VERSION, rp_other.VERSION)'")).toBe('1.0 0.1\n');
  });
});

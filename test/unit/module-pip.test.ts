// pip's pure half: names as Ansible recovers them, requirements, PEP 440 ordering and
// specifiers, the freeze list, and the decision whether pip has anything to do. Each
// case again with the list of its finished state (what pip would list after the change)
// has nothing to do. The probe script runs under sh against stand-in pip commands.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareVersions, isPresent, parseFreeze, parseRequirement, parseVersion, recoverPackageNames } from '../../src/modules/pip-requirement.js';
import { parsePipProbe, pipProbe, pipWouldChange, readPipArgs, type PipArgs } from '../../src/modules/pip.js';
import { ModuleFailure } from '../../src/modules/types.js';

const base: PipArgs = { state: 'present', virtualenv_site_packages: false, virtualenv_command: 'virtualenv', editable: false };

describe('pip names and versions', () => {
  it("recovers package names as Ansible's _recover_package_name", () => {
    expect(recoverPackageNames(['django>1.11.1', '<1.11.3', 'ipaddress', 'simpleproject>1.1.0', '<2.0.0'])).toEqual(['django>1.11.1,<1.11.3', 'ipaddress', 'simpleproject>1.1.0,<2.0.0']);
    expect(recoverPackageNames(['django>1.11.1,<1.11.3,ipaddress'])).toEqual(['django>1.11.1,<1.11.3', 'ipaddress']);
    expect(recoverPackageNames(['req[socks,security]>=2'])).toEqual(['req[socks,security]>=2']);
  });

  it('writes requirements as str(Requirement) does', () => {
    expect(parseRequirement('rp-demo>=1.0,<2')).toMatchObject({ text: 'rp-demo<2,>=1.0', name: 'rp-demo', specs: [['>=', '1.0'], ['<', '2']] });
    expect(parseRequirement('Rp_Demo').name).toBe('rp-demo');
    expect(parseRequirement('rp_demo', '2.0').text).toBe('rp_demo==2.0');
    expect(parseRequirement('rp_demo', '>=2.0').text).toBe('rp_demo>=2.0');
    expect(parseRequirement('git+https://example.invalid/x.git').name).toBeUndefined();
  });

  const order = ['1.0.dev1', '1.0a1.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0.post1.dev1', '1.0.post1', '1.0.1', '1.1', '2!0.1'];
  it('orders versions as PEP 440', () => {
    for (let i = 1; i < order.length; i++) expect(compareVersions(parseVersion(order[i - 1])!, parseVersion(order[i])!), `${order[i - 1]} < ${order[i]}`).toBeLessThan(0);
    expect(compareVersions(parseVersion('1.0')!, parseVersion('1.0.0')!)).toBe(0);
  });

  const installed = parseFreeze('You are using pip version 1\nRP_Demo==1.4.2\nother==0.1\n-e git+https://x#egg=y\n');
  const present: [string, boolean][] = [
    ['rp-demo', true],
    ['rp_demo==1.4.2', true],
    ['rp_demo==1.4.*', true],
    ['rp_demo~=1.4', true],
    ['rp_demo~=1.4.3', false],
    ['rp_demo>=1.0,<2', true],
    ['rp_demo!=1.4.2', false],
    ['rp_demo>1.4.2', false],
    ['missing', false],
  ];
  for (const [req, want] of present) it(`${req} is ${want ? '' : 'not '}met`, () => expect(isPresent(parseRequirement(req), installed)).toBe(want));
});

interface Row {
  name: string;
  args: Partial<PipArgs>;
  listed: string;
  changes: boolean | undefined;
  /** What pip would list once it ran. */
  after?: string;
}

const rows: Row[] = [
  { name: 'install a missing package', args: { name: ['rp_demo'] }, listed: 'pip==23.0\n', changes: true, after: 'pip==23.0\nrp-demo==2.0\n' },
  { name: 'nothing to do when listed', args: { name: ['rp_demo'] }, listed: 'rp-demo==2.0\n', changes: false },
  { name: 'a wanted version differs', args: { name: ['rp_demo'], version: '1.0' }, listed: 'rp-demo==2.0\n', changes: true, after: 'rp-demo==1.0\n' },
  { name: 'one of several is missing', args: { name: ['a>=1', '<2', 'b'] }, listed: 'a==1.5\n', changes: true, after: 'a==1.5\nb==3\n' },
  { name: 'remove what is there', args: { name: ['rp_demo'], state: 'absent' }, listed: 'rp-demo==2.0\n', changes: true, after: '' },
  { name: 'remove what is not there', args: { name: ['rp_demo'], state: 'absent' }, listed: 'other==1\n', changes: false },
  { name: 'latest is only known to pip', args: { name: ['rp_demo'], state: 'latest' }, listed: 'rp-demo==2.0\n', changes: undefined },
  { name: 'extra_args are only known to pip', args: { name: ['rp_demo'], extra_args: '--pre' }, listed: 'rp-demo==2.0\n', changes: undefined },
  { name: 'requirements are only known to pip', args: { requirements: 'req.txt' }, listed: '', changes: undefined },
];

describe('pip decision', () => {
  for (const row of rows) {
    it(row.name, () => {
      const req = readPipArgs({ ...base, ...row.args });
      expect(pipWouldChange(req, row.listed)).toBe(row.changes);
      if (row.after !== undefined) expect(pipWouldChange(req, row.after)).toBe(false);
    });
  }

  const refused: [Partial<PipArgs>, string][] = [
    [{ name: ['a'], state: 'latest', version: '1' }, 'version is incompatible with state=latest'],
    [{ name: ['a', 'b'], version: '1' }, "'version' argument is ambiguous when installing multiple package distributions."],
    [{ name: ['a>1'], version: '1' }, "The 'version' argument conflicts with any version specifier provided along with a package name."],
    [{ name: ['a'], umask: '0x22' }, 'umask must be an octal integer'],
    [{}, 'one of the following is required: name, requirements'],
    [{ name: ['a'], requirements: 'r.txt' }, 'parameters are mutually exclusive: name|requirements'],
    [{ name: ['a'], executable: 'pip3', virtualenv: '/v' }, 'parameters are mutually exclusive: executable|virtualenv'],
  ];
  for (const [args, msg] of refused) {
    it(`refuses: ${msg}`, () => {
      expect(() => readPipArgs({ ...base, ...args })).toThrow(ModuleFailure);
      expect(() => readPipArgs({ ...base, ...args })).toThrow(msg);
    });
  }

  it('editable adds -e to extra_args, once', () => {
    expect(readPipArgs({ ...base, name: ['.'], editable: true }).extraArgs).toBe('-e');
    expect(readPipArgs({ ...base, name: ['.'], editable: true, extra_args: '-e --user' }).extraArgs).toBe('-e --user');
  });
});

describe('pip probe under sh', () => {
  const root = mkdtempSync(join(tmpdir(), 'rp-pip-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const fakePip = (file: string, list: string, listRc = 0) => {
    writeFileSync(file, `#!/bin/sh\nif [ "$1 $2" = "list --format=freeze" ]; then printf '${list}'; exit ${listRc}; fi\nif [ "$1" = freeze ]; then printf 'from-freeze==1\\n'; exit 0; fi\nexit 3\n`);
    chmodSync(file, 0o755);
  };
  const run = (o: Parameters<typeof pipProbe>[0]) => parsePipProbe(execFileSync('sh', ['-c', pipProbe(o)]).toString());

  it('finds a virtualenv\'s pip and reads its list', () => {
    mkdirSync(join(root, 'venv/bin'), { recursive: true });
    writeFileSync(join(root, 'venv/bin/activate'), '');
    fakePip(join(root, 'venv/bin/pip'), 'rp-demo==1.0\\n');
    expect(run({ env: join(root, 'venv'), python: 'python3', chdir: root })).toEqual({ pip: [join(root, 'venv/bin/pip')], listCmd: `${join(root, 'venv/bin/pip')} list --format=freeze`, listOut: 'rp-demo==1.0\n' });
  });

  it('falls back to pip freeze, says when the virtualenv is missing, and names a pip it cannot find', () => {
    fakePip(join(root, 'oldpip'), '', 2);
    expect(run({ executable: join(root, 'oldpip'), python: 'python3', chdir: root })).toMatchObject({ listCmd: `${join(root, 'oldpip')} freeze`, listOut: 'from-freeze==1\n' });
    expect(run({ env: join(root, 'nowhere'), python: 'python3', chdir: root })).toMatchObject({ noVenv: true });
    expect(run({ executable: 'no-such-pip-here', python: 'python3', chdir: root })).toEqual({ error: 'Unable to find any of no-such-pip-here to use.  pip needs to be installed.' });
    mkdirSync(join(root, 'empty/bin'), { recursive: true });
    writeFileSync(join(root, 'empty/bin/activate'), '');
    expect(run({ env: join(root, 'empty'), python: 'python3', chdir: root })).toEqual({
      error: `Unable to find pip in the virtualenv, ${join(root, 'empty')}, under any of these names: pip3, pip. Make sure pip is present in the virtualenv.`,
    });
  });
});

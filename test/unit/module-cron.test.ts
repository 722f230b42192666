// The cron module's pure half: each row's crontab goes through the real parser (probe
// output built as the probe prints it), the plan is checked, and the same row planned
// again with the crontab it wrote must plan nothing.
import { describe, expect, it } from 'vitest';
import { cronJobLine, pySplitLines, readCrontabOutput } from '../../src/modules/cron-tab.js';
import { parseCron, planCron, prepareCron, type CronArgs, type CronFacts, type CronPrepared } from '../../src/modules/cron.js';
import { ModuleFailure, type Plan } from '../../src/modules/types.js';
import { rec } from './file-module-helpers.js';

const DEFAULTS = { state: 'present', backup: false, minute: '*', hour: '*', day: '*', month: '*', weekday: '*', disabled: false, env: false } as const;

function prep(a: Partial<CronArgs> & { name: string }): CronPrepared {
  return prepareCron({ ...DEFAULTS, ...a } as CronArgs);
}

interface Host {
  /** crontab -l's output (user crontab) or the cron_file's content (undefined: no file). */
  text?: string;
  rc?: number;
  whoami?: string;
  noCrontab?: boolean;
}

function probeOutput(p: CronPrepared, h: Host): Buffer {
  const head = `@cron\npath /usr/bin:/bin\nwhoami ${h.whoami ?? 'root'}\n${h.noCrontab ? '' : 'crontab yes\n'}`;
  if (p.file) return Buffer.concat([Buffer.from(head), rec('file', h.text === undefined ? 'absent' : { content: h.text })]);
  const text = h.text ?? '';
  return Buffer.from(`${head}@tab\nrc ${h.rc ?? (h.text === undefined ? 1 : 0)}\ncontent ${Buffer.byteLength(text)}\n${text}\n`);
}

function factsOf(p: CronPrepared, h: Host): CronFacts {
  const buf = probeOutput(p, h);
  return parseCron({ rc: 0, stdout: buf.toString(), stderr: '', stdoutBytes: buf }, p);
}

/** What the host holds after the plan's steps ran. */
function after(p: CronPrepared, h: Host, plan: Plan): Host {
  let text = h.text;
  for (const s of plan.steps) {
    if (s.kind !== 'exec') continue;
    if (s.cmd.startsWith('rm -f')) text = undefined;
    else if (!s.cmd.startsWith('umask 077') && s.stdin !== undefined) text = s.stdin.toString();
  }
  return { ...h, text, rc: text === undefined ? 1 : 0 };
}

function planned(a: Partial<CronArgs> & { name: string }, h: Host): { plan: Plan; after: Host } {
  const p = prep(a);
  const plan = planCron(p, factsOf(p, h));
  const done = after(p, h, plan);
  const again = planCron(p, factsOf(p, done));
  expect(again.steps, 're-planned with the finished state').toEqual([]);
  expect(again.changed).toBe(false);
  return { plan, after: done };
}

function failure(a: Partial<CronArgs> & { name: string }, h: Host): string {
  try {
    const p = prep(a);
    planCron(p, factsOf(p, h));
  } catch (e) {
    if (e instanceof ModuleFailure) return e.message;
    throw e;
  }
  throw new Error('no failure');
}

const JOB = { name: 'backup', minute: '0', hour: '3', job: '/usr/local/bin/backup' };

describe('cron on a user crontab', () => {
  it('adds a job under its #Ansible: comment, to an empty crontab', () => {
    const { plan, after: done } = planned(JOB, {});
    expect(done.text).toBe('#Ansible: backup\n0 3 * * * /usr/local/bin/backup\n');
    expect(plan.changed).toBe(true);
    expect(plan.result).toEqual({ jobs: ['backup'], envs: [] });
    expect(plan.diff).toEqual({ before: '', after: done.text, before_header: 'crontab', after_header: 'crontab' });
    expect(plan.steps[0].kind === 'exec' && plan.steps[0].cmd).toMatch(/crontab "\$rp_t"/);
  });

  it('changes the job in place, keeping the lines around it', () => {
    const text = 'MAILTO=root\n#Ansible: backup\n5 1 * * * /usr/local/bin/backup\n@reboot /bin/true\n';
    const { after: done } = planned(JOB, { text });
    expect(done.text).toBe('MAILTO=root\n#Ansible: backup\n0 3 * * * /usr/local/bin/backup\n@reboot /bin/true\n');
  });

  it('leaves a job that is already there alone', () => {
    const { plan } = planned(JOB, { text: '#Ansible: backup\n0 3 * * * /usr/local/bin/backup\n' });
    expect(plan.steps).toEqual([]);
    expect(plan.changed).toBe(false);
  });

  it('adopts an identical job line without a comment by inserting the comment', () => {
    const { plan, after: done } = planned(JOB, { text: '# mine\n0 3 * * * /usr/local/bin/backup\n' });
    expect(plan.changed).toBe(true);
    expect(done.text).toBe('# mine\n#Ansible: backup\n0 3 * * * /usr/local/bin/backup\n');
  });

  it('writes special_time and disabled jobs as Ansible does', () => {
    expect(cronJobLine({ minute: '*', hour: '*', day: '*', month: '*', weekday: '*', job: 'x\n', special: 'reboot', disabled: true })).toBe('#@reboot x');
    expect(cronJobLine({ minute: '1', hour: '2', day: '3', month: '4', weekday: '5', job: 'x', disabled: false, fileUser: 'root' })).toBe('1 2 3 4 5 root x');
    const { after: done } = planned({ name: 'r', job: '/bin/boot', special_time: 'reboot', disabled: true }, {});
    expect(done.text).toBe('#Ansible: r\n#@reboot /bin/boot\n');
  });

  it('removes a job and its comment', () => {
    const { plan, after: done } = planned({ name: 'backup', state: 'absent' }, { text: 'A=1\n#Ansible: backup\n0 3 * * * x\n#Ansible: other\n* * * * * y\n' });
    expect(done.text).toBe('A=1\n#Ansible: other\n* * * * * y\n');
    expect(plan.result).toEqual({ jobs: ['other'], envs: ['A'] });
  });

  it('removing a job that is not there changes nothing', () => {
    expect(planned({ name: 'backup', state: 'absent' }, { text: '#Ansible: other\n* * * * * y\n' }).plan.steps).toEqual([]);
  });

  it('sets variables at the top, after or before another, updates and removes them', () => {
    const text = '#Ansible: j\n* * * * * y\n';
    expect(planned({ name: 'PATH', env: true, job: '/bin' }, { text }).after.text).toBe('PATH="/bin"\n#Ansible: j\n* * * * * y\n');
    const two = 'A="1"\nB="2"\n';
    expect(planned({ name: 'C', env: true, job: '3', insertafter: 'A' }, { text: two }).after.text).toBe('A="1"\nC="3"\nB="2"\n');
    expect(planned({ name: 'C', env: true, job: '3', insertbefore: 'A' }, { text: two }).after.text).toBe('C="3"\nA="1"\nB="2"\n');
    expect(planned({ name: 'B', env: true, job: '9' }, { text: two }).after.text).toBe('A="1"\nB="9"\n');
    expect(planned({ name: 'A', env: true, state: 'absent' }, { text: two }).after.text).toBe('B="2"\n');
    expect(failure({ name: 'C', env: true, job: '3', insertafter: 'Z' }, { text: two })).toBe("Variable named 'Z' not found.");
    expect(failure({ name: 'A B', env: true, job: '3' }, { text: two })).toBe('Invalid name for environment variable');
  });

  it('adds the missing final newline even when nothing else changes', () => {
    const { plan, after: done } = planned(JOB, { text: '#Ansible: backup\n0 3 * * * /usr/local/bin/backup' });
    expect(plan.changed).toBe(true);
    expect(done.text).toBe('#Ansible: backup\n0 3 * * * /usr/local/bin/backup\n');
  });

  it("drops the header some crons print, from the lines and from the diff's before", () => {
    const out = '# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (/tmp/crontab.X installed on Thu)\n# (Cron version V5.0)\n#Ansible: a\n* * * * * b\n';
    expect(readCrontabOutput(out)).toEqual({ lines: ['#Ansible: a', '* * * * * b'], existing: '#Ansible: a\n* * * * * b\n' });
  });

  it("names another user's crontab with -u, and keeps a backup of the old one", () => {
    const { plan } = planned({ ...JOB, user: 'alice', backup: true }, { whoami: 'root', text: 'X=1\n' });
    const cmds = plan.steps.map((s) => (s.kind === 'exec' ? s.cmd : ''));
    expect(cmds[0]).toMatch(/^umask 077 && cat > \/tmp\/crontab[a-z0-9_]{8}$/);
    expect(plan.steps[0].kind === 'exec' && plan.steps[0].stdin).toBe('X=1\n');
    expect(cmds[1]).toContain('crontab -u alice "$rp_t"');
    expect(plan.result?.backup_file).toMatch(/^\/tmp\/crontab/);
    expect(plan.diff).toMatchObject({ before_header: 'crontab for user "alice"' });
    const own = planned({ ...JOB, user: 'root' }, { whoami: 'root' }).plan;
    expect(own.steps[0].kind === 'exec' && own.steps[0].cmd).not.toContain('-u');
  });

  it("fails with Ansible's words", () => {
    expect(failure({ ...JOB }, { noCrontab: true })).toBe('Failed to find required executable "crontab" in paths: /usr/bin:/bin:/sbin:/usr/sbin:/usr/local/sbin');
    expect(failure({ ...JOB, special_time: 'daily' }, {})).toBe('You must specify time and date fields or special time.');
    expect(failure({ name: 'x' }, {})).toBe("You must specify 'job' to install a new cron job or variable");
    expect(failure({ name: 'x', job: 'y', insertafter: 'A' }, {})).toBe('Insertafter and insertbefore parameters are valid only with env=yes');
    expect(failure({ name: 'x', job: 'y' }, { rc: 2 })).toBe('Unable to read crontab');
    expect(() => prep({ name: 'x', cron_file: '/etc/crontab' })).toThrow('Will not manage /etc/crontab via cron_file, see documentation.');
  });
});

describe('cron on a cron_file', () => {
  it('creates /etc/cron.d/NAME with the user in the job line', () => {
    const { plan, after: done } = planned({ ...JOB, cron_file: 'backup', user: 'root' }, {});
    expect(done.text).toBe('#Ansible: backup\n0 3 * * * root /usr/local/bin/backup\n');
    expect(plan.steps[0]).toMatchObject({ kind: 'exec', cmd: 'umask 022 && cat > /etc/cron.d/backup' });
    expect(plan.result).toEqual({ jobs: ['backup'], envs: [], cron_file: 'backup' });
    expect(plan.diff).toMatchObject({ before_header: '/etc/cron.d/backup' });
  });

  it('deletes the file when its last job goes (blank lines do not count)', () => {
    const { plan, after: done } = planned({ name: 'backup', cron_file: 'backup', state: 'absent' }, { text: '#Ansible: backup\n0 3 * * * root x\n\n   \n\t\n' });
    expect(done.text).toBeUndefined();
    expect(plan.changed).toBe(true);
    expect(plan.result).toEqual({ cron_file: 'backup', state: 'absent' });
    expect(plan.diff).toMatchObject({ after: '', after_header: '/dev/null' });
  });

  it('keeps the file while other lines remain; a missing file is no change', () => {
    expect(planned({ name: 'a', cron_file: '/etc/cron.d/x', state: 'absent' }, { text: 'A=1\n#Ansible: a\n* * * * * root b\n' }).after.text).toBe('A=1\n');
    expect(planned({ name: 'a', cron_file: 'nothere', state: 'absent' }, {}).plan.changed).toBe(false);
  });

  it('requires user= to install, and warns about odd file names', () => {
    expect(failure({ ...JOB, cron_file: 'x' }, {})).toBe('To use cron_file=... parameter you must specify user=... as well');
    const { plan } = planned({ ...JOB, cron_file: 'my.job', user: 'root' }, {});
    expect(plan.result?.warnings).toEqual(['Filename portion of cron_file ("my.job") should consist solely of upper- and lower-case letters, digits, underscores, and hyphens']);
  });
});

describe("Python's splitlines", () => {
  it('splits on every line break Python knows and keeps no empty last line', () => {
    expect(pySplitLines('a\r\nb\rc\x0bd\n')).toEqual(['a', 'b', 'c', 'd']);
    expect(pySplitLines('a\n\n')).toEqual(['a', '']);
    expect(pySplitLines('')).toEqual([]);
  });
});

// community.general.locale_gen over real SSH on lab hosts of the apt flavor (their /usr is
// a private writable overlay: locale-gen rewrites /usr/lib/locale/locale-archive), the
// Debian way: /etc/locale.gen and the real locale-gen, `locale -a` as the judge. Generate,
// then remove, each check → apply → apply → check, compared with ansible-playbook.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { haveAnsiblePlaybook } from '../helpers/cli.js';
import { startLabCycle, type LabCycle } from '../helpers/lab-cycle.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 180_000 });
const isRoot = process.getuid?.() === 0;
const haveLocales = existsSync('/usr/sbin/locale-gen') && existsSync('/etc/locale.gen') && existsSync('/usr/share/i18n/locales/de_CH');

describe.skipIf(!isRoot || !haveLocales)(
  `locale_gen on lab hosts (needs root for the lab and Debian's locales package; ${haveAnsiblePlaybook ? 'compared with' : 'without'} ansible-playbook)`,
  () => {
    let c: LabCycle;
    beforeAll(async () => {
      c = await startLabCycle('locale-lab', { flavor: 'apt' });
      for (const h of c.lab.hosts) await c.sh(h, 'cp /usr/share/i18n/SUPPORTED /tmp/ && grep -q . /tmp/SUPPORTED && sed -e "s/^/# /" /tmp/SUPPORTED > /etc/locale.gen');
    });
    afterAll(async () => c?.stop());
    const state = 'locale -a; grep -n "de_CH.UTF-8" /etc/locale.gen';

    it('generates a locale, then has nothing to do', async () => {
      await c.cycle('gen', '    - community.general.locale_gen: {name: de_CH.UTF-8}', state);
      expect(await c.sh(c.ours, 'locale -a | grep de_CH; grep "^de_CH.UTF-8" /etc/locale.gen')).toBe('de_CH.utf8\nde_CH.UTF-8 UTF-8\n');
    });

    it('removes it again', async () => {
      await c.cycle('rm', '    - community.general.locale_gen: {name: de_CH.UTF-8, state: absent}\n      register: r\n    - debug: {msg: "{{ r.msg | default(\'check mode: no msg\') }}"}', state);
      expect(await c.sh(c.ours, 'locale -a | grep -c de_CH; grep "de_CH.UTF-8 UTF-8" /etc/locale.gen')).toBe('0\n# de_CH.UTF-8 UTF-8\n');
    });
  },
);

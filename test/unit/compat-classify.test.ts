// The compat harness's selection: a selected target whose aliases say `hidden` is not run
// (ansible-test runs it only from the target that includes it, and alone it fails under
// ansible-playbook too); other targets keep their selection or exclusion rule.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { classify } from '../../scripts/compat-targets.mjs';

const selection = { selected: ['a', 'child'], excluded: [{ reason: 'needs docker', targets: ['docker_*'] }] };
const aliases: Record<string, string> = { child: '# run by a\nhidden\n', docker_x: 'hidden\n', a: 'shippable/posix/group1\n' };

describe('classify', () => {
  it('leaves out a hidden selected target with the reason, and keeps the rest', () => {
    const all = classify(selection, ['a', 'child', 'docker_x', 'other'], (n: string) => aliases[n] ?? '');
    expect(all[0]).toEqual({ name: 'a', selected: true });
    expect(all[1]).toMatchObject({ name: 'child', selected: false });
    expect(all[1].reason).toMatch(/^hidden: ansible-test never runs it on its own/);
    expect(all[2]).toEqual({ name: 'docker_x', selected: false, reason: 'needs docker' });
    expect(all[3].reason).toMatch(/^not reviewed yet/);
  });
});

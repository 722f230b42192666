// formatUserError follows AnsibleError.message (lib/ansible/errors/__init__.py): the message
// first, then YAML_POSITION_DETAILS and the offending line with a caret, then our hint.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError, formatUserError } from '../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rackplay-errfmt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('formatUserError', () => {
  it('prints the message, then where it is and the offending line, then the hint', () => {
    const file = path.join(dir, 'pb.yml');
    writeFileSync(file, '- hosts: all\n  include: x.yml\n');
    const text = formatUserError(new UserError("'include' is not a valid attribute for a Play", { pos: { file, line: 2, col: 3 }, hint: 'use import_playbook' }));
    expect(text).toBe(
      "ERROR! 'include' is not a valid attribute for a Play\n\n" +
        `The error appears to be in '${file}': line 2, column 3, but may\n` +
        'be elsewhere in the file depending on the exact syntax problem.\n\n' +
        'The offending line appears to be:\n\n- hosts: all\n  include: x.yml\n  ^ here\n' +
        '  hint: use import_playbook',
    );
  });

  it('steps back over blank lines and past the end, as Ansible does; the first line has an empty line before it', () => {
    const file = path.join(dir, 'short.yml');
    writeFileSync(file, '- include: a.yml\n\n\n');
    const text = formatUserError(new UserError('bad', { pos: { file, line: 9, col: 3 } }));
    expect(text).toContain('The offending line appears to be:\n\n\n- include: a.yml\n  ^ here');
  });

  it('never echoes vault data, and without a readable file gives the position alone', () => {
    const file = path.join(dir, 'secret.yml');
    writeFileSync(file, 'pw: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n');
    const vaulted = formatUserError(new UserError('Decryption failed', { pos: { file, line: 2, col: 3 } }));
    expect(vaulted).not.toContain('ANSIBLE_VAULT');
    expect(vaulted.endsWith('be elsewhere in the file depending on the exact syntax problem.')).toBe(true);
    const missing = formatUserError(new UserError('bad', { pos: { file: path.join(dir, 'gone.yml'), line: 1, col: 1 } }));
    expect(missing).toBe(`ERROR! bad\n\nThe error appears to be in '${path.join(dir, 'gone.yml')}': line 1, column 1, but may\nbe elsewhere in the file depending on the exact syntax problem.`);
    expect(formatUserError(new UserError('no position', { hint: 'h' }))).toBe('ERROR! no position\n  hint: h');
  });
});

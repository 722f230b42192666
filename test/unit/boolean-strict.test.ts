import { describe, expect, it } from 'vitest';
import { ansibleBool, strictKeywordBool } from '../../src/boolean.js';

describe('strictKeywordBool (boolean(strict=True) for bool keywords)', () => {
  it('takes what Ansible takes', () => {
    for (const t of [true, 1, 'yes', ' Yes ', 'on', 'TRUE', 't', 'y', '1']) expect(strictKeywordBool('diff', t)).toBe(true);
    for (const f of [false, 0, 'no', 'off', 'False', 'f', 'n', '0']) expect(strictKeywordBool('diff', f)).toBe(false);
  });

  it('refuses anything else, naming the field, where the lax rule says false', () => {
    expect(() => strictKeywordBool('diff', 'yes.')).toThrow(/^the field 'diff' has an invalid value \(yes\.\), and could not be converted to an bool\.The error was: The value 'yes\.' is not a valid boolean\./);
    expect(() => strictKeywordBool('ignore_errors', 2)).toThrow(/invalid value \(2\)/);
    expect(ansibleBool('yes.')).toBe(false);
  });
});

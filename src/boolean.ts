// Ansible's boolean() (module_utils/parsing/convert_bool.py, strict=False): the one rule for
// keywords (`become: yes`), module flags and ANSIBLE_* settings. Strings are compared
// trimmed and lower-cased; anything not in the true set is false.
const TRUE_STRINGS = new Set(['y', 'yes', 'on', '1', 'true', 't']);

export function ansibleBool(value: unknown): boolean {
  if (typeof value === 'string') return TRUE_STRINGS.has(value.trim().toLowerCase());
  if (typeof value === 'number') return value === 1;
  return value === true;
}

const FALSE_STRINGS = new Set(['n', 'no', 'off', '0', 'false', 'f']);
// Python prints its BOOLEANS set in hash order; any fixed order says the same.
export const VALID_BOOLEANS = "0, 't', 1, 'off', 'y', 'no', '0', 'on', 'n', 'yes', 'true', '1', 'f', 'false'";

/**
 * boolean(value, strict=True), as a keyword declared bool (diff, ignore_errors, become...)
 * is post-validated: a value in neither set is an error naming the field.
 */
export function strictKeywordBool(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const norm = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (typeof norm === 'string' ? TRUE_STRINGS.has(norm) : norm === 1) return true;
  if (typeof norm === 'string' ? FALSE_STRINGS.has(norm) : norm === 0) return false;
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  const why = `The value '${shown}' is not a valid boolean.  Valid booleans include: ${VALID_BOOLEANS}`;
  throw new Error(`the field '${field}' has an invalid value (${shown}), and could not be converted to an bool.The error was: ${why}. ${why}`);
}

// Ansible's boolean() (module_utils/parsing/convert_bool.py, strict=False): the one rule for
// keywords (`become: yes`), module flags and ANSIBLE_* settings. Strings are compared
// trimmed and lower-cased; anything not in the true set is false.
const TRUE_STRINGS = new Set(['y', 'yes', 'on', '1', 'true', 't']);

export function ansibleBool(value: unknown): boolean {
  if (typeof value === 'string') return TRUE_STRINGS.has(value.trim().toLowerCase());
  if (typeof value === 'number') return value === 1;
  return value === true;
}

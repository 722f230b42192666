// Python's configparser.RawConfigParser, as far as modules that rewrite INI files with it
// need (yum_repository): reading (sections, `key = value` or `key: value`, keys lowercased,
// indented continuation lines, whole-line `#`/`;` comments dropped) and writing back in its
// layout (`key = value`, continuation lines indented with a tab, a blank line after each
// section). A file Ansible rewrote reads back identically, and ours reads back in Ansible.

export type IniSections = Map<string, Map<string, string>>;

export class ConfigParseError extends Error {}

/** RawConfigParser.read_string: the sections in file order, their options in order. */
export function parseConfig(text: string): IniSections {
  const sections: IniSections = new Map();
  let cur: Map<string, string> | undefined;
  let lastKey: string | undefined;
  let keyIndent = 0;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n];
    const stripped = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (stripped === '' || /^[#;]/.test(stripped)) {
      // a blank line inside a value is kept (empty_lines_in_values); a comment is not
      if (stripped === '' && cur && lastKey !== undefined) cur.set(lastKey, `${cur.get(lastKey)}\n`);
      continue;
    }
    if (cur && lastKey !== undefined && indent > keyIndent) {
      cur.set(lastKey, `${cur.get(lastKey)}\n${stripped}`);
      continue;
    }
    const header = /^\[(.+)\]/.exec(stripped);
    if (header && indent === 0) {
      if (sections.has(header[1])) throw new ConfigParseError(`While reading from '<string>' [line ${n + 1}]: section '${header[1]}' already exists`);
      cur = new Map();
      sections.set(header[1], cur);
      lastKey = undefined;
      continue;
    }
    if (!cur) throw new ConfigParseError(`File contains no section headers.\nfile: '<string>', line: ${n + 1}\n'${raw}'`);
    const m = /^(.*?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!m) throw new ConfigParseError(`Source contains parsing errors: '<string>'\n\t[line ${n + 1}]: '${raw}'`);
    const key = m[1].trim().toLowerCase();
    if (cur.has(key)) throw new ConfigParseError(`While reading from '<string>' [line ${n + 1}]: option '${key}' in section already exists`);
    cur.set(key, m[2].trim());
    lastKey = key;
    keyIndent = indent;
  }
  // trailing blank lines of a value are dropped when the read ends
  for (const s of sections.values()) for (const [k, v] of s) s.set(k, v.replace(/\n+$/, ''));
  return sections;
}

/** RawConfigParser.write */
export function writeConfig(sections: IniSections): string {
  let out = '';
  for (const [name, options] of sections) {
    out += `[${name}]\n`;
    for (const [k, v] of options) out += `${k} = ${v.replace(/\n/g, '\n\t')}\n`;
    out += '\n';
  }
  return out;
}

// PyYAML's scalar resolvers, for every YAML file Ansible reads (playbooks, task and vars
// files, YAML inventories, group_vars/host_vars): the yaml package's 1.1 schema differs.
import type { ScalarTag, Tags } from 'yaml';

// PyYAML's resolvers differ from the yaml package's 1.1 schema: `y`/`n` stay strings,
// `1e3` (no dot) and `.` stay strings, sexagesimal ints cannot start with 0, and timestamps are
// left as the text the user wrote (Ansible would stringify the datetime anyway).
const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const PY_FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*[eE][-+][0-9]+$/;
// A plain float needs a digit before or after the dot: `.` alone (a path!) stays a string.
const PY_FLOAT = /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|[-+]?\.[0-9][0-9_]*)$/;
const PY_INT_TIME = /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/;

/** The yaml package's 1.1 tags with PyYAML's bool, float and sexagesimal int resolvers, and no timestamps. */
export function pyyamlScalars(tags: Tags): Tags {
  const out: Tags = [];
  for (const t of tags) {
    const tag = t as ScalarTag;
    if (tag.tag === 'tag:yaml.org,2002:timestamp') continue;
    if (tag.tag === 'tag:yaml.org,2002:bool' && tag.test) {
      // the yaml package has one tag object for true and one for false
      out.push({ ...tag, test: tag.test.test('true') ? PY_TRUE : PY_FALSE });
      continue;
    }
    if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === 'EXP') {
      out.push({ ...tag, test: PY_FLOAT_EXP });
      continue;
    }
    if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === undefined && tag.test?.test('1.5')) {
      out.push({ ...tag, test: PY_FLOAT });
      continue;
    }
    if (tag.tag === 'tag:yaml.org,2002:int' && tag.format === 'TIME') {
      out.push({ ...tag, test: PY_INT_TIME });
      continue;
    }
    out.push(t);
  }
  return out;
}

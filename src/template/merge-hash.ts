// Ansible's merge_hash (utils/vars.py): y merged into a copy of x, y winning. Used by the
// combine filter and by hash_behaviour=merge when variable layers meet.
import { TemplateError } from './errors.js';
import { contains } from './filter-support.js';
import { isDict, typeName, type Dict } from './python.js';
import { pyJsonDumps } from './serialize.js';

const LIST_MERGES = ['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'];

function dumpOrText(v: unknown): string {
  try {
    return pyJsonDumps(v, {});
  } catch {
    return String(v);
  }
}

export function mergeHash(x: unknown, y: unknown, recursive = true, listMerge = 'replace'): Dict {
  if (!LIST_MERGES.includes(listMerge)) {
    throw new TemplateError("merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'");
  }
  if (!isDict(x) || !isDict(y)) {
    throw new TemplateError(`failed to combine variables, expected dicts but got a '${typeName(x)}' and a '${typeName(y)}': \n${dumpOrText(x)}\n${dumpOrText(y)}`);
  }
  const out: Dict = { ...x };
  for (const [key, yv] of Object.entries(y)) {
    if (!Object.prototype.hasOwnProperty.call(out, key)) {
      out[key] = yv;
      continue;
    }
    const xv = out[key];
    if (isDict(xv) && isDict(yv)) out[key] = recursive ? mergeHash(xv, yv, recursive, listMerge) : yv;
    else if (Array.isArray(xv) && Array.isArray(yv)) {
      if (listMerge === 'replace') out[key] = yv;
      else if (listMerge === 'append') out[key] = [...xv, ...yv];
      else if (listMerge === 'prepend') out[key] = [...yv, ...xv];
      else if (listMerge === 'append_rp') out[key] = [...xv.filter((z) => !contains(yv, z)), ...yv];
      else if (listMerge === 'prepend_rp') out[key] = [...yv, ...xv.filter((z) => !contains(yv, z))];
      // 'keep' leaves x's list
    } else out[key] = yv;
  }
  return out;
}

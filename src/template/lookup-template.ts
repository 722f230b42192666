// The template lookup: a template file rendered with the task's variables, template_vars
// on top, optionally other delimiters; with convert_data (the default) a result that reads
// as a Python literal dict, list or bool comes back as that value, as Ansible's
// ansible_eval_concat gives it.
import { parsePythonLiteral } from '../inventory/python-literal.js';
import { TemplateError } from './errors.js';
import { ansibleBool } from './filters.js';
import { isDict, pyStr, type Dict } from './python.js';
import type { Lookup } from './lookup-types.js';
import { templateVars } from './template-vars.js';

const OPTIONS = ['convert_data', 'template_vars', 'jinja2_native', 'variable_start_string', 'variable_end_string', 'comment_start_string', 'comment_end_string'];
const TAG_NAMES: Record<string, string> = {
  variable_start_string: 'variableStart',
  variable_end_string: 'variableEnd',
  comment_start_string: 'commentStart',
  comment_end_string: 'commentEnd',
};

/** Ansible's literal conversion of a rendered text: only what starts like a dict or list, or is a bool. */
export function convertRendered(text: string): unknown {
  if (!(text.startsWith('{') || text.startsWith('[') || text === 'True' || text === 'False')) return text;
  // JSON's names, as Ansible's Json2Python rewrites them before literal_eval
  const parsed = parsePythonLiteral(text.replace(/\b(true|false|null)\b(?=(?:[^"']|"[^"]*"|'[^']*')*$)/g, (w) => ({ true: 'True', false: 'False', null: 'None' })[w] ?? w));
  return parsed.ok ? parsed.value : text;
}

export const templateLookup: Lookup = (ctx, terms, kw) => {
  for (const k of Object.keys(kw)) if (!OPTIONS.includes(k)) throw new TemplateError(`Unrecognized option "${k}" for lookup template`);
  const convert = ansibleBool(kw.convert_data ?? true);
  const extra: Dict = isDict(kw.template_vars) ? kw.template_vars : {};
  const tags: Record<string, string> = {};
  for (const [opt, tag] of Object.entries(TAG_NAMES)) if (kw[opt] !== undefined && kw[opt] !== null) tags[tag] = pyStr(kw[opt]);
  return terms.flat().map((t) => {
    const name = pyStr(t);
    const found = ctx.findFile(name, 'templates');
    if (!found) throw new TemplateError(`the template file ${name} could not be found for the lookup`);
    // The template module's special vars too (template_host, template_mtime, ...), as Ansible's lookup sets them.
    const vars = Object.assign(Object.create(ctx.vars), templateVars(name, found), extra) as Record<string, unknown>;
    // Jinja drops one trailing newline; the lookup keeps the file's own (preserve_trailing_newlines)
    const text = ctx.renderFile(found, vars, Object.keys(tags).length ? tags : undefined);
    if (!convert) return text;
    const value = convertRendered(text.replace(/\n$/, ''));
    return typeof value === 'string' ? text : value;
  });
};

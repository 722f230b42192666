// What a lookup plugin gets: the caller's variables and a file finder with Ansible's search order.
import type { Dict } from './python.js';

export interface LookupContext {
  /** Variables visible to the template that called lookup(). */
  vars: Record<string, unknown>;
  /** Base directories for relative paths, innermost first (role dir, playbook dir...). */
  searchPaths: string[];
  /** A relative name under each base's `subdir/`, then the base itself (Ansible's path_dwim_relative_stack). */
  findFile(name: string, subdir: string): string | undefined;
  /** Where first_found looks by default: `files`, or `templates`/`vars` for a template/include_vars loop. */
  subdir?: string;
  /** Renders a template file; `tags` are other delimiters (nunjucks's names: variableStart...). */
  renderFile(file: string, vars: Record<string, unknown>, tags?: Record<string, string>): string;
}

export type Lookup = (ctx: LookupContext, terms: unknown[], kw: Dict) => unknown[];

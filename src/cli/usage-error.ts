// ansible-playbook and ansible-vault report a malformed command line through argparse,
// which exits 2 (an unknown option, a value of the wrong type, a missing playbook
// argument, --forks 0). Scripts that wrap ansible-playbook tell these apart from option
// values Ansible rejects later (AnsibleOptionsError, exit 5), so we keep both codes.
import { UserError } from '../errors.js';

export const USAGE_EXIT = 2;

export class UsageError extends UserError {
  constructor(message: string, opts: { hint?: string } = {}) {
    super(message, { kind: 'options', hint: opts.hint });
    this.name = 'UsageError';
  }
  override get exitCode(): number {
    return USAGE_EXIT;
  }
}

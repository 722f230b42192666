// Errors raised while templating. Callers (task executor, CLI) wrap these into
// UserError with the position of the YAML value that held the template.

export class TemplateError extends Error {
  /** The Python exception class Ansible reports this as, where a caller shows it (the template action). */
  pythonClass?: string;
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/**
 * A test name with no test behind it. Ansible's plugin loader refuses a name that is not
 * a dotted identifier outright, which Jinja reports as a TemplateSyntaxError.
 */
export function missingTest(name: string): TemplateError {
  if (/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/.test(name)) return new TemplateError(`no test named '${name}'`);
  const fq = name.includes('.') ? name : `ansible.builtin.${name}`;
  const e = new TemplateError(`Could not load "${name}": 'invalid plugin name: ${fq}'`);
  e.pythonClass = 'TemplateSyntaxError';
  return e;
}

export class UndefinedVariableError extends TemplateError {
  constructor(
    readonly variable: string,
    message?: string,
  ) {
    super(message ?? `'${variable}' is undefined`);
    this.name = 'UndefinedVariableError';
  }
}

/**
 * A lookup that gave up on its own terms (Ansible's AnsibleLookupError): lookup() passes
 * its message on as it is, where any other error from a lookup is reported as unhandled.
 */
export class LookupFailure extends TemplateError {
  constructor(message: string) {
    super(message);
    this.name = 'LookupFailure';
  }
}

// Errors raised while templating. Callers (task executor, CLI) wrap these into
// UserError with the position of the YAML value that held the template.

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
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

// ansible.builtin.template: render a Jinja2 template on the controller, then behave as
// copy with that content (sha1 compare, backup, validate, mode/owner/group).
//
//   - ansible.builtin.template:
//       src: sshd_config.j2
//       dest: /etc/ssh/sshd_config
//       mode: '0600'
//       validate: /usr/sbin/sshd -t -f %s
import { statSync } from 'node:fs';
import type { FromSchema } from 'json-schema-to-ts';
import { parseFileProbe, type FileFacts } from '../facts/file-probe.js';
import { basename, makeBackupStamp } from './file-common.js';
import { COPY_SCHEMA_PROPS, notOnController, planCopy, probeCopy, type CopyPrepared } from './copy.js';
import { defineModule, type RunContext } from './types.js';

const schema = {
  type: 'object',
  properties: {
    ...COPY_SCHEMA_PROPS,
    src: { type: 'string', minLength: 1 },
    newline_sequence: { type: 'string', enum: ['\n', '\r', '\r\n'], default: '\n' },
    output_encoding: { type: 'string', enum: ['utf-8', 'utf8', 'UTF-8'], default: 'utf-8' },
  },
  required: ['src', 'dest'],
  additionalProperties: false,
} as const;

export type TemplateArgs = FromSchema<typeof schema>;

type Facts = Record<string, FileFacts>;

export function prepareTemplate(args: TemplateArgs, ctx: RunContext): CopyPrepared {
  const path = ctx.controller.findFile('templates', args.src);
  const st = path ? statSync(path, { throwIfNoEntry: false }) : undefined;
  if (!path || !st?.isFile()) throw notOnController(args.src, 'templates');
  // template_path is the src as the task wrote it, as in Ansible's template action.
  let rendered: string;
  try {
    rendered = ctx.controller.renderFile(path, { template_path: args.src, template_destpath: args.dest });
  } catch (e) {
    // Ansible's template action shows some errors under their Python class's name
    const cls = (e as { pythonClass?: unknown }).pythonClass;
    if (typeof cls === 'string' && e instanceof Error) e.message = `${cls}: ${e.message}`;
    throw e;
  }
  // Jinja2 normalises every line ending of the output to newline_sequence.
  const text = rendered.replace(/\r\n|\r|\n/g, args.newline_sequence ?? '\n');
  // copy's options that template does not take are copy's defaults
  const copyArgs = { ...args, remote_src: false, local_follow: true, decrypt: true };
  return {
    args: copyArgs,
    files: [{ rel: '', content: Buffer.from(text, 'utf8'), srcMode: st.mode & 0o7777 }],
    basename: basename(args.src),
    stamp: makeBackupStamp(),
  };
}

export const templateModule = defineModule<TemplateArgs, CopyPrepared, Facts>({
  name: 'template',
  summary: 'Template a file out to a target host',
  checkMode: 'plan',
  traits: { noAsync: true },
  schema,
  prepare: prepareTemplate,
  // The rendered text is a prepared single file, so copy's probe and plan apply as they are.
  probe: probeCopy,
  parse(out) {
    return parseFileProbe(out);
  },
  plan: planCopy,
});

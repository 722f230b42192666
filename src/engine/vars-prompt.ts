// A play's vars_prompt, as Ansible's PlaybookExecutor asks it before the play starts: a
// variable given as an extra var is not asked; on a terminal the question is
// "PROMPT [DEFAULT]: " (the prompt is the variable's name unless given), twice with confirm; an
// empty answer takes the default; without a terminal nothing is asked (a warning) and the
// default is used. encrypt= hashes the answer with crypt(3), unsafe= keeps it from
// templating. The answers become play vars.
import { ansibleBool } from '../boolean.js';
import type { Play } from '../playbook/types.js';
import { CRYPT_ALGORITHMS, cryptHash, pyStr, randomSalt, unsafeText } from '../template/index.js';
import type { RunState } from './run-state.js';

export async function promptPlayVars(rs: RunState, play: Play): Promise<void> {
  const prompts = (play.vars_prompt ?? []) as Record<string, unknown>[];
  for (const raw of prompts) {
    // templated with the play's vars and the extra vars, as PlaybookExecutor does
    const p = rs.renderPlayValue(raw, play.vars ?? {}) as Record<string, unknown>;
    const name = pyStr(p.name);
    if (name in rs.o.extraVars) continue;
    const prompt = p.prompt !== undefined && p.prompt !== null ? pyStr(p.prompt) : name;
    const def = p.default;
    const hidden = ansibleBool(p.private ?? true);
    const confirm = ansibleBool(p.confirm ?? false);
    let answer: string | undefined;
    if (rs.o.promptVar) {
      const msg = prompt && def !== undefined && def !== null ? `${prompt} [${pyStr(def)}]: ` : prompt ? `${prompt}: ` : `input for ${name}: `;
      let ask = msg;
      for (;;) {
        answer = await rs.o.promptVar(ask, hidden);
        if (!confirm || answer === (await rs.o.promptVar(`confirm ${msg}`, hidden))) break;
        ask = `***** VALUES ENTERED DO NOT MATCH ****\n${msg}`;
      }
    } else {
      rs.o.sink({ kind: 'warning', message: 'Not prompting as we are not in interactive mode' });
    }
    let value: unknown = answer;
    if (!answer && def !== undefined && def !== null) value = def;
    if (p.encrypt) {
      const algorithm = pyStr(p.encrypt);
      const salt = p.salt !== undefined && p.salt !== null ? pyStr(p.salt) : randomSalt(Number(p.salt_size ?? CRYPT_ALGORITHMS[algorithm]?.saltSize ?? 8));
      value = cryptHash(algorithm, pyStr(value ?? ''), salt);
    }
    // not masked: Ansible shows the answer wherever the playbook prints it (private only
    // means it is not echoed while typed)
    // Ansible makes text of whatever it got: no answer and no default is the string 'None'
    const text = pyStr(value ?? null);
    play.vars = { ...(play.vars ?? {}), [name]: ansibleBool(p.unsafe ?? false) ? unsafeText(text) : text };
  }
}

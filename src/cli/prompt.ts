// Questions on the terminal: a line typed in (vars_prompt with private: false) or a secret
// whose keys are not echoed (BECOME password, private vars_prompt).
import { createInterface } from 'node:readline';

export function ask(prompt: string, opts: { hidden: boolean; output?: NodeJS.WriteStream }): Promise<string> {
  const output = opts.output ?? process.stdout;
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    if (opts.hidden) {
      // readline echoes each key through _writeToOutput: let only the prompt itself through
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(prompt)) output.write(prompt);
      };
    }
    rl.question(prompt, (answer) => {
      rl.close();
      if (opts.hidden) output.write('\n');
      resolve(answer);
    });
  });
}

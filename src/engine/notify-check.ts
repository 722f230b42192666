// A notify that names no handler is a mistake Ansible reports only when the task
// changes something, mid-run. We report it before any host is contacted, with the
// task's position and the closest handler name.
import { UserError, formatPos } from '../errors.js';
import type { Play, Playbook, Task, TaskNode } from '../playbook/types.js';
import { playHandlers, playRoles } from '../playbook/walk.js';
import { suggest } from '../playbook/suggest.js';

function handlerNames(play: Play): Set<string> {
  const names = new Set<string>();
  for (const { task, role } of playHandlers(play)) {
    const roleName = role?.name ?? task.role?.name;
    for (const n of [task.name, ...task.listen]) {
      if (!n) continue;
      names.add(n);
      if (roleName) names.add(`${roleName} : ${n}`);
    }
  }
  return names;
}

function* staticTasks(nodes: TaskNode[]): Generator<Task> {
  for (const n of nodes) {
    if (n.kind === 'task') yield n;
    else if (n.kind === 'block') {
      yield* staticTasks(n.block);
      yield* staticTasks(n.rescue);
      yield* staticTasks(n.always);
    }
  }
}

/** Throws on a notify no handler answers, or hands it to `warn` (ERROR_ON_MISSING_HANDLER=false). */
export function checkNotifies(playbooks: Playbook[], warn?: (problem: UserError) => void): void {
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      const names = handlerNames(play);
      // A templated handler name is only known at run time: any notify may be meant for it.
      if ([...names].some((n) => /{{|{%/.test(n))) continue;
      const tasks = [
        ...staticTasks(play.pre_tasks),
        ...playRoles(play).flatMap(({ role }) => [...staticTasks(role.tasks)]),
        ...staticTasks(play.tasks),
        ...staticTasks(play.post_tasks),
        ...play.handlers,
      ];
      for (const t of tasks) {
        for (const n of t.notify) {
          // A templated name is only known at run time.
          if (names.has(n) || /{{|{%/.test(n)) continue;
          const close = suggest(n, [...names]);
          // Ansible's message stands alone on the ERROR! line (runme.sh scripts grep it); where
          // the notify is goes in the hint.
          const at = t.pos ? `notified at ${formatPos(t.pos)}; ` : '';
          const problem = new UserError(`The requested handler '${n}' was not found in either the main handlers list nor in the listening handlers list`, {
            hint: at + (close ? `did you mean \`${close}\`?` : names.size ? `handlers in this play: ${[...names].filter((x) => !x.includes(' : ')).join(', ')}` : 'this play defines no handlers'),
          });
          if (!warn) throw problem;
          warn(problem);
        }
      }
    }
  }
}

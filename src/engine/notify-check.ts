// A notify that names no handler is a mistake Ansible reports only when the task
// changes something, mid-run. We report it before any host is contacted, with the
// task's position and the closest handler name.
import { UserError, formatPos } from '../errors.js';
import type { Play, Playbook, Task, TaskNode } from '../playbook/types.js';
import { handlerListen, playHandlers, playRoles } from '../playbook/walk.js';
import { suggest } from '../playbook/suggest.js';

function handlerNames(play: Play): Set<string> {
  const names = new Set<string>();
  for (const { task, role } of playHandlers(play)) {
    const roleNames = new Set([role?.name, task.role?.name].filter((r): r is string => !!r));
    for (const n of [task.name, ...handlerListen(task)]) {
      if (!n) continue;
      names.add(n);
      for (const r of roleNames) names.add(`${r} : ${n}`);
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
      // A play with an include_tasks handler is left to the run too: Ansible runs it until a
      // changed task notifies a name only the included file has (which it then refuses).
      if ([...names].some((n) => /{{|{%/.test(n))) continue;
      if (playHandlers(play).some(({ task }) => task.kind === 'include')) continue;
      const tasks = [
        ...staticTasks(play.pre_tasks),
        ...playRoles(play).flatMap(({ role }) => [...staticTasks(role.tasks)]),
        ...staticTasks(play.tasks),
        ...staticTasks(play.post_tasks),
        ...play.handlers.filter((h): h is Task => h.kind === 'task'),
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

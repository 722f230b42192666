// A notify that names no handler is a mistake Ansible reports only when the task
// changes something, mid-run. We report it before any host is contacted, with the
// task's position and the closest handler name.
import { UserError } from '../errors.js';
import type { Play, Playbook, RoleInstance, Task, TaskNode } from '../playbook/types.js';
import { suggest } from '../playbook/suggest.js';

function handlerNames(play: Play): Set<string> {
  const names = new Set<string>();
  const add = (t: Task, role?: string) => {
    for (const n of [t.name, ...t.listen]) {
      if (!n) continue;
      names.add(n);
      if (role) names.add(`${role} : ${n}`);
    }
  };
  const seen = new Set<RoleInstance>();
  const visit = (r: RoleInstance) => {
    if (seen.has(r)) return;
    seen.add(r);
    r.dependencies.forEach(visit);
    r.handlers.forEach((t) => add(t, r.name));
  };
  play.roles.forEach(visit);
  play.handlers.forEach((t) => add(t, t.role?.name));
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

function* roleTasks(r: RoleInstance, seen = new Set<RoleInstance>()): Generator<Task> {
  if (seen.has(r)) return;
  seen.add(r);
  for (const d of r.dependencies) yield* roleTasks(d, seen);
  yield* staticTasks(r.tasks);
}

export function checkNotifies(playbooks: Playbook[]): void {
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      const names = handlerNames(play);
      const tasks = [
        ...staticTasks(play.pre_tasks),
        ...play.roles.flatMap((r) => [...roleTasks(r)]),
        ...staticTasks(play.tasks),
        ...staticTasks(play.post_tasks),
        ...play.handlers,
      ];
      for (const t of tasks) {
        for (const n of t.notify) {
          // A templated name is only known at run time.
          if (names.has(n) || /{{|{%/.test(n)) continue;
          const close = suggest(n, [...names]);
          throw new UserError(`The requested handler '${n}' was not found in either the main handlers list nor in the listening handlers list`, {
            pos: t.pos,
            hint: close ? `did you mean \`${close}\`?` : names.size ? `handlers in this play: ${[...names].filter((x) => !x.includes(' : ')).join(', ')}` : 'this play defines no handlers',
          });
        }
      }
    }
  }
}

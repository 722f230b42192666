// What a JSON report (--report json=PATH) says about the hosts, without what differs from
// run to run: times, task ids, the command line, the files merged, an output directory
// (`replace`), and the order in which hosts finish (an unsliced run lists a task's results,
// and the drifted hosts, as the hosts finish).
import { readFileSync } from 'node:fs';

export function normalizedReport(file: string, replace: [string, string][] = []): unknown {
  let text = readFileSync(file, 'utf8');
  for (const [from, to] of replace) text = text.split(from).join(to);
  const r = JSON.parse(text);
  for (const k of ['started_at', 'ended_at', 'duration_ms', 'command_line', 'merged_from']) delete r.run[k];
  for (const p of r.plays) delete p.started_at;
  const byHost = (a: { host: string }, b: { host: string }) => a.host.localeCompare(b.host);
  for (const t of r.tasks) {
    delete t.started_at;
    delete t.id;
    for (const x of t.results) {
      delete x.finished_at;
      delete x.duration_ms;
    }
    t.results.sort(byHost);
  }
  r.drift.hosts.sort(byHost);
  for (const h of r.drift.hosts) {
    for (const g of h.roles) for (const t of g.tasks) delete t.task;
    for (const t of h.unknown_tasks) delete t.task;
  }
  return r;
}

// What the engine remembers about one host during a run.
import type { Transport } from '../transport/types.js';
import { ProbeCache, type WriteCount } from './probe-batch.js';

export interface HostState {
  name: string;
  /** Gathered facts, with their ansible_ names (setup's output). Cached for the run. */
  facts: Record<string, unknown>;
  /** set_fact and register results: precedence just below role params and extra vars. */
  setFacts: Record<string, unknown>;
  /** include_vars results. */
  includeVars: Record<string, unknown>;
  /** Failed in this play (no more tasks, except rescue/always and forced handlers). */
  failed: boolean;
  unreachable: boolean;
  /** meta: end_host, or the play ended. */
  ended: boolean;
  /** Handler names notified and not yet run. */
  notified: Set<string>;
  transport?: Promise<Transport>;
  /** vars_files loaded for the current play. */
  playVarsFiles: Record<string, unknown>;
  /** Probe results taken ahead of their tasks (probe-batch.ts). */
  probeCache: ProbeCache;
}

export function newHostState(name: string, writes: WriteCount): HostState {
  return {
    name,
    facts: {},
    setFacts: {},
    includeVars: {},
    failed: false,
    unreachable: false,
    ended: false,
    notified: new Set(),
    playVarsFiles: {},
    probeCache: new ProbeCache(writes),
  };
}

/** ansible_facts as a dict without the `ansible_` prefix, as Ansible exposes it. */
export function factsDict(facts: Record<string, unknown>): Record<string, unknown> {
  let out = dicts.get(facts);
  if (out) return out;
  out = {};
  for (const [k, v] of Object.entries(facts)) out[k.startsWith('ansible_') ? k.slice(8) : k] = v;
  dicts.set(facts, out);
  return out;
}
/**
 * Each facts object's ansible_facts, built once: vars are built for every task-host. A
 * host's facts object is replaced, never changed in place, when facts are added.
 */
const dicts = new WeakMap<Record<string, unknown>, Record<string, unknown>>();

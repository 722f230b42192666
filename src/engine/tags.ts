// Tag selection (--tags / --skip-tags), shared by the walk, the lookahead and --list-tasks.

/**
 * Ansible's Taggable.evaluate_tags: untagged tasks carry the tag `untagged`; with no
 * --tags the selection is `all`, which runs everything but `never`; `always` runs unless
 * skipped by name.
 */
export function tagSelected(taskTags: string[], only: string[], skip: string[]): boolean {
  const tags = new Set(taskTags.length ? taskTags : ['untagged']);
  const onlyTags = new Set(only.length ? only : ['all']);
  const skipTags = new Set(skip);
  const untagged = taskTags.length === 0;
  const meets = (set: Set<string>) => [...set].some((t) => tags.has(t));
  let run: boolean;
  if (tags.has('always')) run = true;
  else if (onlyTags.has('all') && !tags.has('never')) run = true;
  else if (meets(onlyTags)) run = true;
  else run = onlyTags.has('tagged') && !untagged && !tags.has('never');
  if (run && skipTags.size) {
    if (skipTags.has('all')) {
      if (!tags.has('always') || skipTags.has('always')) run = false;
    } else if (meets(skipTags)) run = false;
    else if (skipTags.has('tagged') && !untagged) run = false;
  }
  return run;
}

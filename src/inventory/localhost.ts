// Its own file so that the inventory model and the host patterns can both use it
// without importing each other.

/** Ansible's C.LOCALHOST: names that get an implicit local host when not in the inventory. */
export const LOCALHOST_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1']);

export { Inventory, LOCALHOST_NAMES } from './inventory.js';
export type { InventoryHost, InventoryGroup } from './inventory.js';
export { loadInventory, IGNORED_IN_INVENTORY_DIR, YAML_INVENTORY_EXTENSIONS } from './load.js';
export type { LoadInventoryOptions } from './load.js';
export { splitHostPattern, expandLimit } from './patterns.js';
export type { SelectOptions } from './patterns.js';
export { expandHostRange } from './host-range.js';
export { parsePythonLiteral, iniValue } from './python-literal.js';
export type { VaultValue } from './yaml-source.js';

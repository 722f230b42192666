// Stands for import.meta.url in the CommonJS bundle (scripts/bundle.mjs), where require and
// __filename exist.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;

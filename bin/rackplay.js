#!/usr/bin/env node
// The bundled CLI (npm run build): one file to load instead of hundreds of modules.
import '../dist/bundle/main.js';

// The test tools come from web/node_modules (web/package.json's devDependencies); these tests
// live outside web/, so they resolve them from there. Missing modules fail loudly, never skip.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
if (!fs.existsSync(path.join(webDir, 'node_modules'))) {
  throw new Error(`${webDir}/node_modules is missing: run "npm ci --prefix web" (scripts/test does it)`);
}
const require = createRequire(path.join(webDir, 'package.json'));

export const WebSocket = require('ws');
export const { WebSocketServer } = require('ws');
export const loadPlaywright = () => require('playwright-core');
export const loadReact = () => ({ React: require('react'), TestRenderer: require('react-test-renderer') });

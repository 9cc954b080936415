// The .d.ts files against a usage sample, compiled by TypeScript in strict mode (nothing runs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { webDir } from './harness/deps.js';

test('levain-client.d.ts and react.d.ts type-check a documented usage', async () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const tsc = path.join(webDir, 'node_modules/typescript/bin/tsc');
  const result = await new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', path.join(here, 'types/tsconfig.json')], { timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? err.code ?? 1 : 0, out: stdout + stderr }));
  });
  assert.equal(result.code, 0, result.out);
});

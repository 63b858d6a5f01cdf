import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `npm run bench:seed -- [--scale N]` (default 20 = 1,000,000 people): loads the demo city into a throw-away
 * embedded PostgreSQL and prints the seed command's figures (rows, elapsed, rows/s, peak RSS) plus the wall time
 * including database start-up. The data directory is removed afterwards.
 */
const args = process.argv.slice(2);
if (!args.includes('--scale')) args.push('--scale', '20');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridhub-bench-seed-'));
fs.chmodSync(dataDir, 0o755);
const started = Date.now();
try {
  const result = spawnSync(process.execPath, [path.resolve(__dirname, '..', 'src', 'cli', 'seed.js'), ...args], {
    env: { ...process.env, GRIDHUB_DATA_DIR: dataDir, DATABASE_URL: '' },
    stdio: 'inherit',
  });
  console.log(`wall time including embedded PostgreSQL start and stop: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  process.exitCode = result.status ?? 1;
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

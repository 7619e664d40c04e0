// Shared bits of the node test clients (/usr/bin/node v20, packages in ../node/node_modules).
// The self-signed CA reaches node's fetch (undici) through NODE_EXTRA_CA_CERTS, which node reads
// only at start-up: the caller should set NODE_EXTRA_CA_CERTS=<--ca file>; if it is not set to
// the --ca file, the script re-executes itself once with it set (the LLM calls are then made by
// that child process).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SECRET = readFileSync(join(here, '..', 'secret'), 'utf8').trim();
export const MODEL = 'gpt-mock-1';

export function parseArgs(argv = process.argv.slice(2)) {
  const a = { flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--base') a.base = argv[++i];
    else if (argv[i] === '--ca') a.ca = argv[++i];
    else if (argv[i].startsWith('--')) a.flags.add(argv[i].slice(2));
  }
  if (!a.base || !a.ca) {
    console.error('usage: --base https://127.0.0.1:PORT --ca CERT.pem');
    process.exit(2);
  }
  if (process.env.NODE_EXTRA_CA_CERTS !== a.ca) {
    const r = spawnSync(process.execPath, process.argv.slice(1), {
      stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: a.ca },
    });
    process.exit(r.status ?? 1);
  }
  return a;
}

export function expect(cond, what) {
  if (!cond) {
    console.error('FAIL: ' + what);
    process.exit(1);
  }
}

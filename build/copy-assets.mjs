// Copies the non-TypeScript files the compiled code reads at run time into dist/, beside the
// modules that read them (tsc emits only .js): today the Redis Lua scripts, which
// server/store/redis/scripts.ts loads relative to itself, also in the all-in-one desktop app.
import { cpSync, existsSync } from 'node:fs';

const ASSETS = [['server/store/redis/scripts', 'dist/server/store/redis/scripts']];

for (const [from, to] of ASSETS) {
  if (!existsSync(from)) throw new Error(`copy-assets: ${from} is missing`);
  cpSync(from, to, { recursive: true });
  console.log(`copy-assets: ${from} -> ${to}`);
}

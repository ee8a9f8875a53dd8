/**
 * The Lua scripts, one file per atomic operation in ./scripts, read once at import. A line
 * `-- @include <name>` is replaced by ./scripts/lib/<name>.lua (the shared presence prelude), so
 * Redis receives one self-contained script per operation, cached and called by its SHA1.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SCRIPT_NAMES = [
  'create_session',
  'get_session',
  'end_session',
  'connect',
  'touch',
  'disconnect',
  'set_online',
  'search',
  'claim',
  'unclaim',
  'release',
  'outbox_ack',
  'match',
  'dequeue',
  'pair_done',
  'pairs_due',
  'leave_chat',
  'sweep',
  'drop_node',
  'drop_lease',
  'renew_node',
  'expired_nodes',
  'node_connections',
  'restore_sessions',
  'stats',
  'list_online',
  'read_changes',
  'append_history',
  'read_history',
  'layout',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LuaScript {
  name: ScriptName;
  source: string;
  sha1: string;
}

// Resolved against this module so it works from the source tree (tsx, vitest); a compiled build
// must copy scripts/ next to this file.
const DIR = new URL('./scripts/', import.meta.url);
const INCLUDE = /^-- @include ([a-z_]+)[ \t]*$/gm;

function read(relative: string): string {
  return readFileSync(new URL(relative, DIR), 'utf8');
}

function compose(name: ScriptName): LuaScript {
  const source = read(`${name}.lua`).replace(INCLUDE, (_line, lib: string) => read(`lib/${lib}.lua`));
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Every script, composed and hashed. */
export const SCRIPTS: Readonly<Record<ScriptName, LuaScript>> = Object.fromEntries(
  SCRIPT_NAMES.map((name) => [name, compose(name)]),
) as Record<ScriptName, LuaScript>;

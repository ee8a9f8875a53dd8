/**
 * Runs the Lua scripts: EVALSHA (one round trip), and only when the node answers NOSCRIPT (it
 * restarted, failed over, or was flushed) the source once with EVAL, which caches it again.
 * Works with a single-node client and a Cluster client alike: the first key routes the call,
 * and every key shares one hash tag (keys.ts).
 */
import { ErrorReply } from 'redis';
import { redisFailure, scriptError } from './errors.js';
import type { LuaScript } from './scripts.js';

/** The part of a node-redis client (createClient or createCluster) the store uses. */
export interface ScriptClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  ping(): Promise<unknown>;
  close(): Promise<void>;
  /** node-redis clients have these; closeRedis uses them so a close never hangs */
  destroy?(): void;
  readonly isReady?: boolean;
  readonly isOpen?: boolean;
}

export type ScriptArg = string | number;

export class ScriptRunner {
  constructor(private readonly client: ScriptClient) {}

  /** The script's raw reply; connection failures throw StoreError 'unavailable'. */
  async raw(script: LuaScript, keys: string[], args: readonly ScriptArg[]): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      try {
        return await this.client.evalSha(script.sha1, options);
      } catch (err) {
        if (!(err instanceof ErrorReply) || !err.message.startsWith('NOSCRIPT')) throw err;
        return await this.client.eval(script.source, options);
      }
    } catch (err) {
      throw redisFailure(err);
    }
  }

  /** Runs a script that answers a cjson object or a negative error code; returns the object. */
  async json(script: LuaScript, keys: string[], args: readonly ScriptArg[]): Promise<Record<string, unknown>> {
    const reply = await this.raw(script, keys, args);
    if (typeof reply === 'number') throw scriptError(reply);
    if (typeof reply !== 'string') throw new Error(`${script.name}: unexpected reply ${typeof reply}`);
    const parsed: unknown = JSON.parse(reply);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${script.name}: reply is not an object`);
    }
    return parsed as Record<string, unknown>;
  }
}

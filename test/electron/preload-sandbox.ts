/**
 * Runs electron/preload.cts the way a sandboxed preload runs: transpiled to CommonJS and
 * evaluated in a fresh context whose `require` knows only 'electron'. A runtime import of any
 * local module would throw here just as it would in the real sandbox.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import type { Mock } from 'vitest';
import type { Bridge } from '../../client/types.js';

export interface SandboxIpcRenderer {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (...args: unknown[]) => void): unknown;
}

/** Evaluates the preload with `ipcRenderer`; returns what it exposed with contextBridge. */
export function runPreload(ipcRenderer: SandboxIpcRenderer): Record<string, unknown> {
  const exposed: Record<string, unknown> = {};
  const sandboxRequire = (id: string): unknown => {
    if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
    return { ipcRenderer, contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) } };
  };
  const source = readFileSync(join(process.cwd(), 'electron', 'preload.cts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: 'preload.cts',
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const module = { exports: {} };
  vm.runInNewContext(outputText, { require: sandboxRequire, module, exports: module.exports });
  return exposed;
}

/**
 * Connects a preload to the main side as IPC would: its invokes go to `invoke` (the handlers of
 * ipc.ts), what main sends through `send` reaches its listeners; both ways by structured clone.
 */
export function connectPreload(main: { send: Mock; invoke(channel: string, ...args: unknown[]): Promise<unknown> }) {
  const rendererSide = new EventEmitter();
  main.send.mockImplementation((channel: string, payload: unknown) => rendererSide.emit(channel, {}, structuredClone(payload)));
  const exposed = runPreload({
    invoke: (channel, ...args) => main.invoke(channel, ...structuredClone(args)),
    on: (channel, l) => rendererSide.on(channel, l),
    removeListener: (channel, l) => rendererSide.removeListener(channel, l),
  });
  return { rendererSide, api: exposed['herenow'] as Bridge };
}

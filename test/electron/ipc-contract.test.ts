import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_ARGS, ACTION_NAMES, IPC_CHANNELS, isTrustedRendererUrl, toIpcError } from '../../electron/ipc-contract.js';
import { ClientError } from '../../client/errors.js';

describe('IPC_CHANNELS', () => {
  it('names every action plus the snapshot channels, each once', () => {
    const names = Object.values(IPC_CHANNELS);
    expect(new Set(names).size).toBe(names.length);
    for (const action of ACTION_NAMES) expect(IPC_CHANNELS[action]).toMatch(/^herenow:/);
  });

  it('matches the names preload.cts repeats (tsc checks it too; this catches a lost `satisfies`)', () => {
    const preload = readFileSync(join(process.cwd(), 'electron', 'preload.cts'), 'utf8');
    for (const [key, channel] of Object.entries(IPC_CHANNELS)) expect(preload).toContain(`${key}: '${channel}'`);
    expect(preload).toContain('satisfies IpcChannels');
  });
});

describe('ACTION_ARGS', () => {
  it('accepts the arguments the Bridge sends and rejects junk', () => {
    expect(ACTION_ARGS.setVisible.safeParse([true]).success).toBe(true);
    expect(ACTION_ARGS.setVisible.safeParse(['yes']).success).toBe(false);
    expect(ACTION_ARGS.sendMessage.safeParse(['hi']).success).toBe(true);
    expect(ACTION_ARGS.sendMessage.safeParse([{ text: 'hi' }]).success).toBe(false);
    expect(ACTION_ARGS.sendMessage.safeParse(['x'.repeat(100_000)]).success).toBe(false);
    expect(ACTION_ARGS.refreshHistory.safeParse([]).success).toBe(true);
    expect(ACTION_ARGS.refreshHistory.safeParse([60]).success).toBe(true);
    expect(ACTION_ARGS.refreshHistory.safeParse([0]).success).toBe(false);
    expect(ACTION_ARGS.search.safeParse([]).success).toBe(true);
    expect(ACTION_ARGS.search.safeParse([1]).success).toBe(false);
  });
});

describe('toIpcError', () => {
  it("keeps a ClientError's protocol code and message", () => {
    expect(toIpcError(new ClientError('not_in_chat', 'you are not in a chat'))).toEqual({
      code: 'not_in_chat',
      message: 'you are not in a chat',
    });
  });

  it('hides anything else behind `internal`', () => {
    expect(toIpcError(new Error('ENOENT /home/me/secret'))).toEqual({ code: 'internal', message: 'unexpected error in the app' });
    expect(toIpcError({ code: 'EPIPE', message: 'x' }).code).toBe('internal');
    expect(toIpcError('boom').code).toBe('internal');
  });

  it('reports bad arguments as invalid_payload', () => {
    const err = ACTION_ARGS.setVisible.safeParse(['no']).error;
    expect(toIpcError(err).code).toBe('invalid_payload');
  });
});

describe('isTrustedRendererUrl', () => {
  it('matches our scheme and host only', () => {
    expect(isTrustedRendererUrl('app://herenow/index.html', 'app://herenow/index.html')).toBe(true);
    expect(isTrustedRendererUrl('app://herenow/other.html?x#y', 'app://herenow/index.html')).toBe(true);
    expect(isTrustedRendererUrl('app://evil/index.html', 'app://herenow/index.html')).toBe(false);
    expect(isTrustedRendererUrl('https://herenow/index.html', 'app://herenow/index.html')).toBe(false);
    expect(isTrustedRendererUrl('about:blank', 'app://herenow/index.html')).toBe(false);
    expect(isTrustedRendererUrl('', 'app://herenow/index.html')).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isTrustedRendererUrl('http://user@localhost:5173/', 'http://localhost:5173')).toBe(false);
  });
});

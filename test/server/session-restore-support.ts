/**
 * What the session-restore tests share: one JWT secret for every server (a token of one node is
 * valid on the others), guest REST calls, the restore metric, and checks that a session is gone
 * or came back unchanged.
 */
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { expect } from 'vitest';
import type { ServerConfig } from '../../server/config.js';
import type { GuestCreated, GuestMe, RestError, StatsResponse } from '../../server/protocol.js';
import { type Harness, getJson } from '../support/server.js';

/** One JWT secret for every server here: a token issued by one node is valid on the others. */
export const SECRET = `restore-${randomBytes(16).toString('hex')}`;
export const BASE: Partial<ServerConfig> = { jwtSecret: SECRET };

export async function post<T>(url: string, path: string, token?: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: '{}',
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function createGuest(url: string, username: string): Promise<GuestCreated> {
  const res = await fetch(`${url}/api/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as GuestCreated;
}

export async function deleteMe(url: string, token: string): Promise<number> {
  const res = await fetch(`${url}/api/guest/me`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

export async function stats(url: string): Promise<StatsResponse> {
  const { status, body } = await getJson<StatsResponse>(url, '/api/stats');
  expect(status).toBe(200);
  return body;
}

/** The value of herenow_sessions_restored_total on one node (its own registry). */
export async function restoredTotal(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^herenow_sessions_restored_total (\d+)$/m.exec(text);
  if (!m) throw new Error('herenow_sessions_restored_total missing from /metrics');
  return Number(m[1]);
}

/** The session is gone: REST and handshake both answer session_not_found (401 per errors.ts). */
export async function expectGone(h: Harness, token: string): Promise<void> {
  const me = await getJson<RestError>(h.url, '/api/guest/me', token);
  expect(me).toMatchObject({ status: 401, body: { error: { code: 'session_not_found' } } });
  await expect(h.client(token)).rejects.toMatchObject({ message: 'session_not_found', data: { code: 'session_not_found' } });
}

/** The guest's session as GET /api/guest/me returns it: same id, username, createdAt as created. */
export async function expectSameSession(url: string, guest: GuestCreated): Promise<GuestMe> {
  const me = await getJson<GuestMe>(url, '/api/guest/me', guest.token);
  expect(me.status).toBe(200);
  expect(me.body.user).toMatchObject({ id: guest.user.id, username: guest.user.username, createdAt: guest.user.createdAt });
  return me.body;
}

/** A token signed like the server's but with only sub/iat/exp (issued before the new claims). */
export function legacyToken(userId: string, nowMs = Date.now(), ttlMs = 3_600_000): string {
  const iat = Math.floor(nowMs / 1000);
  return jwt.sign({ sub: userId, iat, exp: Math.floor((nowMs + ttlMs) / 1000) }, SECRET, { algorithm: 'HS256' });
}

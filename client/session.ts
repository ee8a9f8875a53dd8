/**
 * The guest session: loaded from storage or created (`POST /api/guest`), refreshed on
 * `token_expired` (`POST /api/guest/refresh`), ended (`DELETE /api/guest/me`), forgotten.
 * A refresh already in flight is shared, so two failures never refresh twice.
 */
import type { PresenceApi } from './api.js';
import { ClientError } from './errors.js';
import type { SessionStorage, StoredSession } from './types.js';

/** ClientError codes meaning the session itself is gone (not a passing failure). */
export const SESSION_GONE = ['session_not_found', 'unauthorized'] as const;

/** True when `err` says the session can never be used again. */
export function isSessionGone(err: unknown): err is ClientError & { code: (typeof SESSION_GONE)[number] } {
  return err instanceof ClientError && (SESSION_GONE as readonly string[]).includes(err.code);
}

/** The guest session in use, persisted through a SessionStorage. */
export class GuestSession {
  private current: StoredSession | null = null;
  private refreshing: Promise<StoredSession> | null = null;

  constructor(
    private readonly api: PresenceApi,
    private readonly storage: SessionStorage,
  ) {}

  /** The session in use, if any. */
  get session(): StoredSession | null {
    return this.current;
  }

  /** The stored session, or a new guest named `username` (generated when absent or refused). */
  async ensure(username: string | undefined): Promise<StoredSession> {
    if (this.current) return this.current;
    // Unreadable storage is no session: a new guest beats an app that never connects.
    const stored = await this.storage.load().catch(() => null);
    if (stored) return (this.current = stored);
    return this.create(username);
  }

  /** Creates and saves a new guest session. */
  async create(username: string | undefined): Promise<StoredSession> {
    let created;
    try {
      created = await this.api.createGuest(username);
    } catch (err) {
      if (!(username && err instanceof ClientError && err.code === 'invalid_username')) throw err;
      created = await this.api.createGuest();
    }
    const session: StoredSession = {
      user: { id: created.user.id, username: created.user.username },
      token: created.token,
      tokenExpiresAt: created.tokenExpiresAt,
    };
    await this.storage.save(session);
    return (this.current = session);
  }

  /** Exchanges the current (possibly expired) token for a new one and saves it. */
  refresh(): Promise<StoredSession> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<StoredSession> {
    const old = this.current ?? (await this.storage.load());
    if (!old) throw new ClientError('session_not_found', 'no session to refresh');
    const { token, tokenExpiresAt } = await this.api.refresh(old.token);
    const session: StoredSession = { ...old, token, tokenExpiresAt };
    await this.storage.save(session);
    return (this.current = session);
  }

  /** Ends the session on the server (a session already gone is fine), then forgets it. */
  async end(): Promise<void> {
    const s = this.current ?? (await this.storage.load());
    if (s) await this.deleteOnServer(s.token);
    await this.forget();
  }

  private async deleteOnServer(token: string): Promise<void> {
    try {
      await this.api.deleteMe(token);
    } catch (err) {
      if (isSessionGone(err)) return;
      if (!(err instanceof ClientError && err.code === 'token_expired')) throw err;
      try {
        await this.api.deleteMe((await this.refresh()).token);
      } catch (again) {
        // Past the refresh grace the token can no longer end the session; it expires on its own.
        const expired = again instanceof ClientError && again.code === 'token_expired';
        if (!isSessionGone(again) && !expired) throw again;
      }
    }
  }

  /** Drops the session locally (storage cleared); the next ensure() creates a new one. */
  async forget(): Promise<void> {
    this.current = null;
    await this.storage.clear();
  }
}

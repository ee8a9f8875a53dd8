/**
 * Rate limits (rate-limiter-flexible). Client events: EVENTS_PER_SECOND sustained per connection
 * with bursts of twice that; chat messages per user; connection attempts per user (admission
 * during reconnect storms); guest creation per client address.
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { ServerConfig } from '../config.js';

export interface Limiter {
  /** true when the key may go on (and the point is consumed) */
  take(key: string): Promise<boolean>;
}

function wrap(limiter: { consume(key: string, points?: number): Promise<RateLimiterRes> }): Limiter {
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return true;
      } catch (err) {
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },
  };
}

export interface Limits {
  events: Limiter;
  chat: Limiter;
  connect: Limiter;
  guestCreate: Limiter;
}

/** Builds the server's limiters from the configuration. */
export function createLimits(c: Pick<ServerConfig, 'eventsPerSecond' | 'chatMessagesPer10s' | 'guestCreatePerMinute'>): Limits {
  return {
    events: wrap(
      new BurstyRateLimiter(
        new RateLimiterMemory({ keyPrefix: 'ev', points: c.eventsPerSecond, duration: 1 }),
        new RateLimiterMemory({ keyPrefix: 'evb', points: c.eventsPerSecond, duration: 2 }),
      ),
    ),
    chat: wrap(new RateLimiterMemory({ keyPrefix: 'chat', points: c.chatMessagesPer10s, duration: 10 })),
    connect: wrap(new RateLimiterMemory({ keyPrefix: 'conn', points: 30, duration: 10 })),
    guestCreate: wrap(new RateLimiterMemory({ keyPrefix: 'guest', points: c.guestCreatePerMinute, duration: 60 })),
  };
}

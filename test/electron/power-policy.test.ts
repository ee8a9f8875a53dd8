import { describe, expect, it, vi } from 'vitest';
import { createPowerPolicy } from '../../electron/power-policy.js';
import type { PowerEvent } from '../../electron/power-policy.js';

function run(events: PowerEvent[]) {
  const client = { pause: vi.fn(), resume: vi.fn() };
  const policy = createPowerPolicy(client);
  for (const e of events) policy.handle(e);
  return { client, policy };
}

describe('createPowerPolicy', () => {
  it('pauses once on sleep and resumes once on wake, however often the OS repeats itself', () => {
    const { client, policy } = run(['suspend', 'suspend', 'resume', 'resume']);
    expect(client.pause).toHaveBeenCalledTimes(1);
    expect(client.resume).toHaveBeenCalledTimes(1);
    expect(policy.paused).toBe(false);
  });

  it('stays paused after waking while the screen is still locked', () => {
    const { client, policy } = run(['lock-screen', 'suspend', 'resume']);
    expect(client.pause).toHaveBeenCalledTimes(1);
    expect(client.resume).not.toHaveBeenCalled();
    expect(policy.paused).toBe(true);
    policy.handle('unlock-screen');
    expect(client.resume).toHaveBeenCalledTimes(1);
  });

  it('ignores a wake it never saw go to sleep (the client’s gap detector covers that)', () => {
    const { client } = run(['resume', 'unlock-screen']);
    expect(client.pause).not.toHaveBeenCalled();
    expect(client.resume).not.toHaveBeenCalled();
  });

  it('calls pause and resume alternately over any event sequence', () => {
    const events: PowerEvent[] = ['suspend', 'resume', 'lock-screen', 'unlock-screen'];
    let seed = 7;
    for (let trial = 0; trial < 200; trial++) {
      const calls: string[] = [];
      const policy = createPowerPolicy({ pause: () => calls.push('pause'), resume: () => calls.push('resume') });
      for (let i = 0; i < 30; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        policy.handle(events[seed % 4]!);
      }
      calls.forEach((c, i) => expect(c).toBe(i % 2 === 0 ? 'pause' : 'resume'));
      expect(policy.paused).toBe(calls.length % 2 === 1);
    }
  });
});

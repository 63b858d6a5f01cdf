import { describe, expect, it } from '@jest/globals';
import { IncidentEventBell, NOTIFY_GAP_MS } from '../../src/live/bell';

/** The after-commit bell (src/live/bell.ts): local listeners at every ring; NOTIFYs coalesced and spaced. */
describe('the incident event bell', () => {
  it('wakes its listeners at every ring, and sends one notification for a burst, spaced at least the gap apart', async () => {
    const sent: Array<{ at: number; payload: string }> = [];
    const bell = new IncidentEventBell(async (payload) => {
      sent.push({ at: performance.now(), payload });
      await new Promise((resolve) => setTimeout(resolve, 2));
    });
    let woken = 0;
    const stop = bell.listen(() => woken++);
    for (let i = 0; i < 50; i++) bell.ring();
    expect(woken).toBe(50);
    await new Promise((resolve) => setTimeout(resolve, 5 * NOTIFY_GAP_MS));
    // The first ring sends at once; the other 49, arriving while it is on its way, make exactly one more.
    expect(sent).toHaveLength(2);
    expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(NOTIFY_GAP_MS - 1);
    expect(sent.every((notification) => notification.payload === bell.id)).toBe(true);

    // After a quiet moment a ring goes out at once.
    const before = performance.now();
    bell.ring();
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(sent).toHaveLength(3);
    expect(sent[2].at - before).toBeLessThan(NOTIFY_GAP_MS);
    stop();
    bell.ring();
    expect(woken).toBe(51);
  });

  it('survives a failing notification: the next ring sends again', async () => {
    let calls = 0;
    const bell = new IncidentEventBell(async () => {
      calls++;
      if (calls === 1) throw new Error('connection lost');
    });
    bell.ring();
    await new Promise((resolve) => setTimeout(resolve, 2 * NOTIFY_GAP_MS));
    bell.ring();
    await new Promise((resolve) => setTimeout(resolve, 2 * NOTIFY_GAP_MS));
    expect(calls).toBe(2);
  });
});

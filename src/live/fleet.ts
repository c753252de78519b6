/**
 * The fleet's distribution of live topics over Redis: one replica polls each topic (a lease,
 * `SET NX PX` of two intervals, renewed by its holder at each poll, so a replica that dies is
 * replaced within about two intervals), keeps the poll's state for a successor, and publishes
 * what is new on the topic's channel; every replica with subscribers of the topic receives it
 * there (ioredis needs a connection of its own for that) and delivers to its own. Watched model
 * ids of every replica are kept in one hash per topic, each id with its expiry. While Redis does
 * not answer, each replica polls for its own subscribers, as without Redis.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis/connection.js';
import type { Distribution } from './distribution.js';
import type { LiveEvent } from './feeds.js';

export interface FleetOptions {
  readonly prefix: string;
  readonly pollMs: number;
}

export function fleetDistribution(redis: RedisConnection, options: FleetOptions): Distribution {
  const me = randomUUID();
  const name = (kind: string, key: string) => `${options.prefix}live:${kind}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  const leaseMs = 2 * options.pollMs;
  const listeners = new Map<string, (events: readonly LiveEvent[]) => void>();
  const channels = new Map<string, string>();
  const held = new Set<string>();
  const subscriber = redis.client.duplicate();
  subscriber.on('error', () => undefined);
  subscriber.on('message', (channel: string, message: string) => {
    const key = channels.get(channel);
    const deliver = key === undefined ? undefined : listeners.get(key);
    if (!deliver) return;
    try {
      deliver(JSON.parse(message) as LiveEvent[]);
    } catch {
      // A message that is not ours: nothing to deliver.
    }
  });

  return {
    async lead(key) {
      const lease = name('lease', key);
      const taken = await redis.attempt((c) => c.set(lease, me, 'PX', leaseMs, 'NX'), 'write');
      if (taken === undefined) return { leading: true, handover: undefined };
      if (taken === 'OK') {
        held.add(key);
        const state = await redis.attempt((c) => c.get(name('state', key)));
        return { leading: true, handover: state ? (JSON.parse(state) as unknown) : undefined };
      }
      const holder = await redis.attempt((c) => c.get(lease));
      if (holder !== me) return (held.delete(key), { leading: false });
      await redis.attempt((c) => c.pexpire(lease, leaseMs), 'write');
      return { leading: true, handover: undefined };
    },
    async watched(key, local) {
      const hash = name('watch', key);
      const now = Date.now();
      if (local.length > 0) await redis.attempt((c) => c.hset(hash, Object.fromEntries(local.map((id) => [String(id), String(now + leaseMs)]))), 'write');
      const all = await redis.attempt((c) => c.hgetall(hash));
      if (!all) return [...local];
      const expired = Object.entries(all).filter(([, until]) => Number(until) < now).map(([id]) => id);
      if (expired.length > 0) void redis.attempt((c) => c.hdel(hash, ...expired), 'write');
      return Object.entries(all).filter(([, until]) => Number(until) >= now).map(([id]) => Number(id)).filter(Number.isInteger);
    },
    async publish(key, events, snapshot) {
      const sent = await redis.attempt(async (c) => {
        await c.set(name('state', key), JSON.stringify(snapshot), 'PX', 10 * leaseMs);
        return events.length > 0 ? c.publish(name('events', key), JSON.stringify(events)) : 0;
      }, 'write');
      // Redis down: this replica polled for its own subscribers; they get the events directly.
      if (sent === undefined && events.length > 0) listeners.get(key)?.(events);
    },
    listen(key, deliver) {
      const channel = name('events', key);
      listeners.set(key, deliver);
      channels.set(channel, key);
      void subscriber.subscribe(channel).catch(() => undefined);
      return () => {
        listeners.delete(key);
        channels.delete(channel);
        void subscriber.unsubscribe(channel).catch(() => undefined);
      };
    },
    release(key) {
      if (!held.delete(key)) return;
      const lease = name('lease', key);
      // Only our own lease: another replica may hold it by now.
      void redis.attempt((c) => c.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, lease, me), 'write');
    },
    async close() {
      for (const key of [...held]) this.release(key);
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

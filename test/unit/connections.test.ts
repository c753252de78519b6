import { describe, expect, it } from 'vitest';
import { ConnectionTable, peerOf } from '../../src/http/connections.js';

describe('peerOf', () => {
  it('when the address is IPv4 or IPv4-mapped IPv6, then the peer is the IPv4 address', () => {
    expect(peerOf('127.0.0.2')).toBe('127.0.0.2');
    expect(peerOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });

  it('when the address is IPv6, then every address of one /64 is one peer', () => {
    expect(peerOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(peerOf('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(peerOf('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(peerOf('::1')).toBe('0:0:0:0::/64');
    expect(peerOf('2001:db8:1:3::1')).not.toBe(peerOf('2001:db8:1:2::1'));
  });

  it('when the socket is already gone, then there is no peer', () => {
    expect(peerOf(undefined)).toBeUndefined();
  });
});

describe('ConnectionTable', () => {
  it('when a peer holds its share, then its next connection is refused while another peer is admitted', () => {
    const table = new ConnectionTable<string>({ maxConnections: 10, maxPerPeer: 2 });
    expect(table.admit('a1', 'A')).toEqual({ admitted: true });
    expect(table.admit('a2', 'A')).toEqual({ admitted: true });
    expect(table.admit('a3', 'A')).toEqual({ admitted: false });
    expect(table.admit('b1', 'B')).toEqual({ admitted: true });
    table.remove('a1');
    expect(table.admit('a4', 'A')).toEqual({ admitted: true });
  });

  it('when the per-peer cap is 0, then one peer may take every slot', () => {
    const table = new ConnectionTable<number>({ maxConnections: 3, maxPerPeer: 0 });
    expect([1, 2, 3].map((s) => table.admit(s, 'lb').admitted)).toEqual([true, true, true]);
    expect(table.size).toBe(3);
  });

  it('when the cap is reached, then the longest idle connection makes room and busy ones never do', () => {
    const table = new ConnectionTable<string>({ maxConnections: 3, maxPerPeer: 0 });
    table.admit('s1', 'A');
    table.admit('s2', 'A');
    table.admit('s3', 'A');
    // s1 serves a request and goes back to idle: now s2 is the longest idle.
    table.busy('s1');
    table.done('s1');
    table.busy('s3');
    expect(table.admit('s4', 'B')).toEqual({ admitted: true, evict: 's2' });
    expect(table.admit('s5', 'B')).toEqual({ admitted: true, evict: 's1' });
    table.busy('s4');
    table.busy('s5');
    expect(table.admit('s6', 'B')).toEqual({ admitted: false });
    expect(table.size).toBe(3);
  });

  it('when a connection has two requests in flight, then it is idle only after both ended', () => {
    const table = new ConnectionTable<string>({ maxConnections: 2, maxPerPeer: 0 });
    table.admit('s1', 'A');
    table.admit('s2', 'A');
    table.busy('s1');
    table.busy('s1');
    table.busy('s2');
    table.done('s1');
    expect(table.admit('s3', 'A')).toEqual({ admitted: false });
    table.done('s1');
    expect(table.admit('s3', 'A')).toEqual({ admitted: true, evict: 's1' });
  });

  it('when an evicted or closed socket reports later, then the counts stay right', () => {
    const table = new ConnectionTable<string>({ maxConnections: 1, maxPerPeer: 1 });
    table.admit('s1', 'A');
    expect(table.admit('s2', 'B')).toEqual({ admitted: true, evict: 's1' });
    table.remove('s1');
    table.done('s1');
    expect(table.size).toBe(1);
    // A's slot was given back with its socket.
    table.remove('s2');
    expect(table.admit('s3', 'A')).toEqual({ admitted: true });
  });
});

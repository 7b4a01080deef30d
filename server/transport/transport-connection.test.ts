import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFraming } from './create-framing.js';
import {
  StreamConnection,
  type AcceptConnection,
  type ByteChannel,
  type PacketHandler,
  type TransportConnection,
} from './transport-connection.js';
import { createClientObfuscation } from './testing/loopback-client.js';
import { createMemoryLogger, LEVEL } from './testing/memory-logger.js';

/** An in-memory channel that records what the connection writes and how it closes. */
class RecordingChannel implements ByteChannel {
  readonly remoteAddress = '127.0.0.1:40000';
  readonly written: Buffer[] = [];
  ended = 0;
  destroyed = 0;

  write(data: Buffer): void {
    this.written.push(data);
  }

  end(): void {
    this.ended += 1;
  }

  destroy(): void {
    this.destroyed += 1;
  }
}

interface Harness {
  connection: StreamConnection;
  channel: RecordingChannel;
  records: ReturnType<typeof createMemoryLogger>['records'];
  packets: Buffer[];
  accepted: TransportConnection[];
  closes: number;
}

function createHarness(overrides: Partial<PacketHandler> & { accept?: AcceptConnection } = {}) {
  const { log, records } = createMemoryLogger();
  const channel = new RecordingChannel();
  const harness = { channel, records, packets: [], accepted: [], closes: 0 } as unknown as Harness;
  const accept: AcceptConnection =
    overrides.accept ??
    ((connection) => {
      harness.accepted.push(connection);
      return {
        onPacket: overrides.onPacket ?? ((payload) => harness.packets.push(payload)),
        onClose: overrides.onClose ?? (() => (harness.closes += 1)),
      };
    });
  harness.connection = new StreamConnection({
    carrier: 'tcp',
    channel,
    log,
    accept,
    maxPayloadLength: 64,
  });
  return harness;
}

describe('StreamConnection', () => {
  it('accepts once the transport is known and delivers packets', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('eeeeeeee', 'hex'));
    expect(harness.accepted).toHaveLength(1);
    expect(harness.accepted[0].transport).toBe('intermediate');
    harness.connection.receive(Buffer.from('04000000aabbccdd04000000', 'hex'));
    harness.connection.receive(Buffer.from('01020304', 'hex'));
    expect(harness.packets.map((packet) => packet.toString('hex'))).toEqual([
      'aabbccdd',
      '01020304',
    ]);
  });

  it('splits only the next packet into small writes', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('eeeeeeee', 'hex'));
    const payload = Buffer.from('00112233445566778899aabb', 'hex');

    harness.connection.splitNextWrite(5);
    harness.connection.send(payload);
    // 4 bytes of intermediate length plus 12 of payload, in writes of at most 5 bytes.
    expect(harness.channel.written.map((chunk) => chunk.length)).toEqual([5, 5, 5, 1]);
    expect(Buffer.concat(harness.channel.written).subarray(4).equals(payload)).toBe(true);

    harness.connection.send(payload);
    expect(harness.channel.written).toHaveLength(5);
    expect(harness.channel.written[4].length).toBe(16);
  });

  it('rejects a chunk size below 1', () => {
    const harness = createHarness();
    expect(() => harness.connection.splitNextWrite(0)).toThrow(RangeError);
  });

  it('does not accept before detection', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('0102', 'hex'));
    expect(harness.accepted).toHaveLength(0);
    harness.connection.channelClosed();
    expect(harness.closes).toBe(0);
  });

  it('gives ids that increase', () => {
    const first = createHarness().connection.id;
    const second = createHarness().connection.id;
    expect(second).toBeGreaterThan(first);
  });

  it('binds connId and transport to the logger', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('ef', 'hex'));
    harness.connection.log.info('hello');
    const line = harness.records.find((record) => record.msg === 'hello');
    expect(line?.connId).toBe(harness.connection.id);
    expect(line?.transport).toBe('abridged');
  });

  it('frames and encrypts sent payloads', () => {
    const harness = createHarness();
    const client = createClientObfuscation('abridged');
    harness.connection.receive(client.header);
    const payload = randomBytes(8);
    harness.connection.send(payload);
    const reply = client.decrypt.update(Buffer.concat(harness.channel.written));
    expect(createFraming('abridged').push(reply)[0].equals(payload)).toBe(true);
  });

  it('sends -404, warns and closes on a bad frame', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('eeeeeeee', 'hex'));
    harness.connection.receive(Buffer.from('ff000000', 'hex'));
    expect(Buffer.concat(harness.channel.written).toString('hex')).toBe('040000006cfeffff');
    expect(harness.channel.ended).toBe(1);
    expect(harness.connection.closed).toBe(true);
    const warnings = harness.records.filter((record) => record.level === LEVEL.warn);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].connId).toBe(harness.connection.id);
    expect(warnings[0].msg).toContain('above the maximum of 64 bytes');
  });

  it('closes without an error frame when the obfuscated tag is unknown', () => {
    const harness = createHarness();
    const header = randomBytes(64);
    header.writeUInt32LE(0x01010101, 0);
    header.writeUInt32LE(0x01010101, 4);
    harness.connection.receive(header);
    expect(harness.channel.written).toEqual([]);
    expect(harness.channel.ended).toBe(1);
    expect(harness.accepted).toHaveLength(0);
  });

  it('ignores bytes after a transport error', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('eeeeeeeeff000000', 'hex'));
    harness.connection.receive(Buffer.from('04000000aabbccdd', 'hex'));
    expect(harness.packets).toEqual([]);
  });

  it('logs a throwing packet handler and keeps going', () => {
    const harness = createHarness({
      onPacket: (payload) => {
        if (payload[0] === 0) throw new Error('handler failure');
        harness.packets.push(payload);
      },
    });
    harness.connection.receive(Buffer.from('eeeeeeee04000000000000000400000001', 'hex'));
    harness.connection.receive(Buffer.from('000000', 'hex'));
    harness.connection.receive(Buffer.from('0400000002000000', 'hex'));
    expect(harness.packets.map((packet) => packet.toString('hex'))).toEqual([
      '01000000',
      '02000000',
    ]);
    const errors = harness.records.filter((record) => record.level === LEVEL.error);
    expect(errors).toHaveLength(1);
    expect(harness.connection.closed).toBe(false);
  });

  it('closes when accept throws', () => {
    const harness = createHarness({
      accept: () => {
        throw new Error('no handler');
      },
    });
    harness.connection.receive(Buffer.from('ef01aabbccdd', 'hex'));
    expect(harness.channel.destroyed).toBe(1);
    expect(harness.records.some((record) => record.level === LEVEL.error)).toBe(true);
  });

  it('stops delivering when the handler closes the connection', () => {
    const harness = createHarness({
      onPacket: (payload) => {
        harness.packets.push(payload);
        harness.connection.close();
      },
    });
    harness.connection.receive(Buffer.from('ef01aabbccdd0111223344', 'hex'));
    expect(harness.packets).toHaveLength(1);
    expect(harness.channel.ended).toBe(1);
  });

  it('reports the close once and drops later sends', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('ef', 'hex'));
    harness.connection.channelClosed();
    harness.connection.channelClosed();
    expect(harness.closes).toBe(1);
    harness.connection.send(Buffer.alloc(4));
    harness.connection.sendTransportError(-429);
    expect(harness.channel.written).toEqual([]);
  });

  it('sends transport errors in the detected framing', () => {
    const harness = createHarness();
    harness.connection.receive(Buffer.from('ef', 'hex'));
    harness.connection.sendTransportError(-429);
    expect(Buffer.concat(harness.channel.written).toString('hex')).toBe('0153feffff');
  });
});

import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from '../tl/codec.js';
import { defaultRegistry } from '../tl/registry.js';
import type { TlObject } from '../tl/types.js';
import { ControlInputError } from './control-input-error.js';
import { tlFromJson, toJournalValue, toMatchValue } from './tl-json.js';

const view = defaultRegistry().view();

describe('tlFromJson', () => {
  it('round-trips through the codec', () => {
    const json = {
      _: 'inputPeerUser',
      user_id: '9223372036854775807',
      access_hash: '-5',
    };
    const value = tlFromJson(json, 'InputPeer', view, 'peer') as TlObject;
    expect(value.user_id).toBe(9223372036854775807n);
    const decoded = deserialize(serialize(value, view), view);
    expect(toMatchValue(decoded)).toEqual(json);
  });

  it('reads bytes as hex, base64 or text', () => {
    const hex = tlFromJson('hex:00ff', 'bytes', view, 'b');
    const base64 = tlFromJson('base64:AP8=', 'bytes', view, 'b');
    const text = tlFromJson('hi', 'bytes', view, 'b');
    expect(hex).toEqual(Buffer.from([0, 255]));
    expect(base64).toEqual(Buffer.from([0, 255]));
    expect(text).toEqual(Buffer.from('hi'));
    expect(() => tlFromJson('hex:0', 'bytes', view, 'b')).toThrow(ControlInputError);
    expect(() => tlFromJson('00ff', 'int128', view, 'nonce')).toThrow(/hex/);
  });

  it('names the path of an invalid long', () => {
    let caught: unknown;
    try {
      tlFromJson({ _: 'inputPeerUser', user_id: 'abc' }, 'InputPeer', view, 'peer');
    } catch (error) {
      caught = error;
    }
    expect((caught as ControlInputError).field).toBe('peer.user_id');
  });

  it('converts vectors and Bool', () => {
    expect(tlFromJson(['1', 2], 'Vector<long>', view, 'ids')).toEqual([1n, 2n]);
    expect(tlFromJson(true, 'Bool', view, 'ok')).toBe(true);
  });
});

describe('toJournalValue', () => {
  it('redacts secrets and writes bytes as hex', () => {
    const value = toJournalValue({
      phone_code: '12345',
      random_id: 5n,
      data: Buffer.from([1, 2]),
      big: Buffer.alloc(300),
    });
    expect(value).toEqual({
      phone_code: '[redacted]',
      random_id: '5',
      data: 'hex:0102',
      big: '[300 bytes]',
    });
  });
});

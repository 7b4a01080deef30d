import { describe, expect, it } from 'vitest';
import { TlReader } from '../binary/tl-reader.js';
import { TlWriter } from '../binary/tl-writer.js';
import {
  decodeObject,
  decodeValue,
  deserialize,
  encodeObject,
  encodeValue,
  MAX_DEPTH,
  serialize,
  TlCodecError,
} from './codec.js';
import { defaultRegistry } from './registry.js';
import type { TlObject } from './types.js';

const view = defaultRegistry().view(198);

/** Little-endian hex of a 32-bit value, for writing expected bytes by hand. */
function u32(value: number): string {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer.toString('hex');
}

function i64(value: bigint): string {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64LE(value);
  return buffer.toString('hex');
}

function roundTrip(value: TlObject): TlObject {
  return deserialize(serialize(value, view), view);
}

function codecError(action: () => unknown): TlCodecError {
  try {
    action();
  } catch (error) {
    if (error instanceof TlCodecError) return error;
    throw error;
  }
  throw new Error('expected a TlCodecError, but nothing was thrown');
}

describe('codec wire format', () => {
  it('writes future_salts bare vector', () => {
    const value = {
      _: 'future_salts',
      req_msg_id: 0x1122334455667788n,
      now: 1700000000,
      salts: [
        { _: 'future_salt', valid_since: 1, valid_until: 2, salt: -3n },
        { valid_since: 4, valid_until: 5, salt: 6n },
      ],
    };
    const expected =
      u32(0xae500895) +
      i64(0x1122334455667788n) +
      u32(1700000000) +
      u32(2) +
      u32(1) +
      u32(2) +
      i64(-3n) +
      u32(4) +
      u32(5) +
      i64(6n);
    const bytes = serialize(value, view);
    expect(bytes.toString('hex')).toBe(expected);
    expect(deserialize(bytes, view)).toEqual({
      ...value,
      salts: [value.salts[0], { _: 'future_salt', ...value.salts[1] }],
    });
  });

  it('reads msg_container with bare message entries', () => {
    const ping = u32(0x7abe77ec) + i64(42n);
    const ack = u32(0x62d6b459) + u32(0x1cb5c415) + u32(1) + i64(7n);
    const hex =
      u32(0x73f1f8dc) +
      u32(2) +
      i64(1000n) +
      u32(1) +
      u32(ping.length / 2) +
      ping +
      i64(1004n) +
      u32(2) +
      u32(ack.length / 2) +
      ack;
    const container = deserialize(Buffer.from(hex, 'hex'), view);
    expect(container).toEqual({
      _: 'msg_container',
      messages: [
        { _: 'message', msg_id: 1000n, seqno: 1, bytes: 12, body: { _: 'ping', ping_id: 42n } },
        {
          _: 'message',
          msg_id: 1004n,
          seqno: 2,
          bytes: 20,
          body: { _: 'msgs_ack', msg_ids: [7n] },
        },
      ],
    });
    expect(serialize(container, view).toString('hex')).toBe(hex);
  });

  it('writes past initial writer size', () => {
    // 100 longs cross the TlWriter's initial 256 bytes in the middle of a long write.
    const ids = Array.from({ length: 100 }, (_, i) => BigInt(i) * 0x0101010101n - 7n);
    const expected = u32(0x62d6b459) + u32(0x1cb5c415) + u32(100) + ids.map(i64).join('');
    const bytes = serialize({ _: 'msgs_ack', msg_ids: ids }, view);
    expect(bytes.toString('hex')).toBe(expected);
    expect(deserialize(bytes, view)).toEqual({ _: 'msgs_ack', msg_ids: ids });
  });

  it('writes Bool and true flags', () => {
    // inputPeerNotifySettings#cacb6ae2 flags:# show_previews:flags.0?Bool silent:flags.1?Bool ...
    const bytes = serialize(
      { _: 'inputPeerNotifySettings', show_previews: false, silent: true },
      view,
    );
    expect(bytes.toString('hex')).toBe(
      u32(0xcacb6ae2) + u32(3) + u32(0xbc799737) + u32(0x997275b5),
    );

    // true flags take no bytes; a false one leaves its bit clear.
    const user = serialize({ _: 'user', id: 5n, self: true, contact: false, bot: true }, view);
    const flags = user.readUInt32LE(4);
    expect(flags & (1 << 10)).not.toBe(0);
    expect(flags & (1 << 11)).toBe(0);
    expect(flags & (1 << 14)).not.toBe(0);
    // id, flags, flags2, id:long, then bot_info_version:flags.14?int, which shares its bit with
    // bot and so is written as 0.
    expect(user.length).toBe(4 + 4 + 4 + 8 + 4);
    expect(deserialize(user, view).bot_info_version).toBe(0);
  });

  it('writes long bytes prefix', () => {
    for (const length of [0, 1, 253, 254, 255, 256, 1000]) {
      const data = Buffer.alloc(length, 0xab);
      const bytes = serialize({ _: 'ipPortSecret', ipv4: 1, port: 2, secret: data }, view);
      const prefix = bytes.subarray(12, 16);
      if (length <= 253) expect(prefix[0]).toBe(length);
      else expect([...prefix]).toEqual([254, length & 0xff, (length >> 8) & 0xff, 0]);
      expect(bytes.length % 4).toBe(0);
      expect(deserialize(bytes, view)).toEqual({
        _: 'ipPortSecret',
        ipv4: 1,
        port: 2,
        secret: data,
      });
    }
  });
});

describe('codec round trips', () => {
  it('keeps config', () => {
    const config = {
      _: 'config',
      default_p2p_contacts: true,
      preload_featured_stickers: false,
      revoke_pm_inbox: true,
      blocked_mode: false,
      force_try_ipv6: true,
      date: 1700000000,
      expires: 1700003600,
      test_mode: true,
      this_dc: 2,
      dc_options: [
        {
          _: 'dcOption',
          ipv6: false,
          media_only: false,
          tcpo_only: false,
          cdn: false,
          static: true,
          this_port_only: true,
          id: 2,
          ip_address: '127.0.0.1',
          port: 10443,
          secret: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
        },
      ],
      dc_txt_domain_name: 'example.test',
      chat_size_max: 200,
      megagroup_size_max: 200000,
      forwarded_count_max: 100,
      online_update_period_ms: 210000,
      offline_blur_timeout_ms: 5000,
      offline_idle_timeout_ms: 30000,
      online_cloud_timeout_ms: 300000,
      notify_cloud_delay_ms: 30000,
      notify_default_delay_ms: 1500,
      push_chat_period_ms: 60000,
      push_chat_limit: 2,
      edit_time_limit: 172800,
      revoke_time_limit: 2147483647,
      revoke_pm_time_limit: 2147483647,
      rating_e_decay: 2419200,
      stickers_recent_limit: 200,
      channels_read_media_period: 604800,
      tmp_sessions: 3,
      call_receive_timeout_ms: 20000,
      call_ring_timeout_ms: 90000,
      call_connect_timeout_ms: 30000,
      call_packet_timeout_ms: 10000,
      me_url_prefix: 'https://t.me/',
      autoupdate_url_prefix: 'https://t.me/update/',
      caption_length_max: 1024,
      message_length_max: 4096,
      webfile_dc_id: 4,
      reactions_default: { _: 'reactionEmoji', emoticon: '👍' },
    };
    expect(roundTrip(config)).toEqual(config);
  });

  it('keeps user with flags2', () => {
    const user = {
      _: 'user',
      self: true,
      contact: false,
      mutual_contact: false,
      deleted: false,
      bot: false,
      bot_chat_history: false,
      bot_nochats: false,
      verified: false,
      restricted: false,
      min: false,
      bot_inline_geo: false,
      support: false,
      scam: false,
      apply_min_photo: false,
      fake: false,
      bot_attach_menu: false,
      premium: true,
      attach_menu_enabled: false,
      bot_can_edit: false,
      close_friend: false,
      stories_hidden: false,
      stories_unavailable: true,
      contact_require_premium: false,
      bot_business: false,
      bot_has_main_app: false,
      id: 0x7fffffffffffffffn,
      access_hash: -0x8000000000000000n,
      first_name: 'Zoë 🚀 测试',
      username: 'zoe',
      phone: '15550001',
      status: { _: 'userStatusOnline', expires: 1700000300 },
      usernames: [{ _: 'username', editable: true, active: true, username: 'zoe' }],
    };
    expect(roundTrip(user)).toEqual(user);
    // usernames is flags2.0 and stories_unavailable is flags2.4, so both land in the second word.
    const bytes = serialize(user, view);
    expect(bytes.readUInt32LE(8)).toBe((1 << 0) | (1 << 4));
  });

  it('keeps int128, int256 and double values', () => {
    const resPq = {
      _: 'resPQ',
      nonce: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'),
      server_nonce: Buffer.alloc(16, 0xfe),
      pq: Buffer.from('17ed48941a08f981', 'hex'),
      server_public_key_fingerprints: [-5595554452916591101n, 1n],
    };
    expect(roundTrip(resPq)).toEqual(resPq);

    const inner = {
      _: 'p_q_inner_data_dc',
      pq: Buffer.from('17ed48941a08f981', 'hex'),
      p: Buffer.from('494c553b', 'hex'),
      q: Buffer.from('53911073', 'hex'),
      nonce: Buffer.alloc(16, 1),
      server_nonce: Buffer.alloc(16, 2),
      new_nonce: Buffer.alloc(32, 3),
      dc: -10002,
    };
    expect(roundTrip(inner)).toEqual(inner);

    const geo = { _: 'inputGeoPoint', lat: 55.7558, long: -37.6173, accuracy_radius: 10 };
    expect(roundTrip(geo)).toEqual(geo);
  });

  it('decodes service bytes and strings', () => {
    const request = deserialize(
      serialize(
        {
          _: 'req_DH_params',
          nonce: Buffer.alloc(16, 9),
          server_nonce: Buffer.alloc(16, 8),
          p: Buffer.from([0x49, 0x4c, 0x55, 0x3b]),
          q: Buffer.from([0x53, 0x91, 0x10, 0x73]),
          public_key_fingerprint: 1n,
          encrypted_data: Buffer.alloc(256, 0xff),
        },
        view,
      ),
      view,
    );
    expect(Buffer.isBuffer(request.p)).toBe(true);
    expect(Buffer.isBuffer(request.encrypted_data)).toBe(true);
    const error = roundTrip({ _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_3' });
    expect(error.error_message).toBe('FLOOD_WAIT_3');
  });

  it('decodes nested method calls', () => {
    const call = {
      _: 'invokeWithLayer',
      layer: 198,
      query: {
        _: 'initConnection',
        api_id: 1,
        device_model: 'test',
        system_version: 'linux',
        app_version: '1.0',
        system_lang_code: 'en',
        lang_pack: '',
        lang_code: 'en',
        query: { _: 'help.getConfig' },
      },
    };
    expect(roundTrip(call)).toEqual(call);
  });

  it('copies decoded buffers', () => {
    const bytes = serialize({ _: 'req_pq_multi', nonce: Buffer.alloc(16, 5) }, view);
    const decoded = deserialize(bytes, view);
    bytes.fill(0);
    expect(decoded.nonce).toEqual(Buffer.alloc(16, 5));
  });
});

describe('codec encoding rules', () => {
  it('writes zero for missing required scalars', () => {
    const bytes = serialize({ _: 'dcOption', id: 2 }, view);
    // flags, id, ip_address '', port 0
    expect(bytes.toString('hex')).toBe(u32(0x18b7a10d) + u32(0) + u32(2) + '00000000' + u32(0));

    const resPq = deserialize(serialize({ _: 'resPQ' }, view), view);
    expect(resPq).toEqual({
      _: 'resPQ',
      nonce: Buffer.alloc(16),
      server_nonce: Buffer.alloc(16),
      pq: Buffer.alloc(0),
      server_public_key_fingerprints: [],
    });
    const settings = deserialize(serialize({ _: 'peerNotifySettings' }, view), view);
    expect(settings).toEqual({ _: 'peerNotifySettings' });
  });

  it('rejects a missing required object field', () => {
    const error = codecError(() => serialize({ _: 'auth.authorization' }, view));
    expect(error.code).toBe('ENCODE_VALUE_INVALID');
    expect(error.message).toContain('auth.authorization.user');
    expect(error.message).toContain('User');
  });

  it('ignores undefined fields', () => {
    const plain = serialize({ _: 'userStatusOnline', expires: 5 }, view);
    const extra = serialize({ _: 'userStatusOnline', expires: 5, added_in_layer_999: 'x' }, view);
    expect(extra).toEqual(plain);
  });

  it('computes flags words', () => {
    const bytes = serialize({ _: 'userStatusRecently', flags: 0xffff, by_me: true }, view);
    expect(bytes.toString('hex')).toBe(u32(0x7b197dc8) + u32(1));
    const nulls = serialize({ _: 'dcOption', id: 1, ip_address: '', port: 1, secret: null }, view);
    expect(nulls.readUInt32LE(4)).toBe(0);
  });

  it('writes all fields of shared bit', () => {
    // account.passwordInputSettings: new_algo, new_password_hash and hint share flags.0.
    const bytes = serialize(
      { _: 'account.passwordInputSettings', new_algo: { _: 'passwordKdfAlgoUnknown' } },
      view,
    );
    expect(bytes.toString('hex')).toBe(
      u32(0xc23727c9) + u32(1) + u32(0xd45ab096) + '00000000' + '00000000',
    );
    expect(deserialize(bytes, view)).toEqual({
      _: 'account.passwordInputSettings',
      new_algo: { _: 'passwordKdfAlgoUnknown' },
      new_password_hash: Buffer.alloc(0),
      hint: '',
    });

    // An object field that shares a set bit must be given.
    const error = codecError(() =>
      serialize({ _: 'account.passwordInputSettings', hint: 'x' }, view),
    );
    expect(error.code).toBe('ENCODE_VALUE_INVALID');
    expect(error.message).toContain('new_algo');
  });

  it('accepts Buffer strings and number longs', () => {
    const fromBuffer = serialize(
      { _: 'rpc_error', error_code: 1, error_message: Buffer.from('AB') },
      view,
    );
    const fromString = serialize({ _: 'rpc_error', error_code: 1, error_message: 'AB' }, view);
    expect(fromBuffer).toEqual(fromString);
    expect(serialize({ _: 'pong', msg_id: 7, ping_id: 8 }, view)).toEqual(
      serialize({ _: 'pong', msg_id: 7n, ping_id: 8n }, view),
    );
  });

  it('writes boolean Object as Bool', () => {
    const bytes = serialize({ _: 'rpc_result', req_msg_id: 1n, result: true }, view);
    expect(bytes.toString('hex')).toBe(u32(0xf35c6d01) + i64(1n) + u32(0x997275b5));
  });

  it('rejects wrong value types', () => {
    const cases: Array<[TlObject, RegExp]> = [
      [{ _: 'pong', msg_id: 'x', ping_id: 1n }, /pong\.msg_id must be a bigint/],
      [{ _: 'pong', msg_id: 1n << 64n, ping_id: 1n }, /pong\.msg_id must be a bigint that fits/],
      [{ _: 'dcOption', id: 1.5 }, /dcOption\.id must be an integer/],
      [{ _: 'dcOption', id: 2 ** 32 }, /dcOption\.id must be an int between/],
      [{ _: 'req_pq_multi', nonce: Buffer.alloc(15) }, /exactly 16 bytes/],
      [
        { _: 'ipPortSecret', ipv4: 1, port: 1, secret: 'text' },
        /ipPortSecret\.secret must be a Buffer/,
      ],
      [{ _: 'msgs_ack', msg_ids: 5n }, /msgs_ack\.msg_ids must be an array/],
      [{ _: 'msgs_ack', msg_ids: [1n, 'x'] }, /msgs_ack\.msg_ids\[1\] must be a bigint/],
      [{ _: 'inputPeerNotifySettings', silent: 1 }, /silent must be a boolean/],
      [
        { _: 'auth.authorization', user: { _: 'inputPeerSelf' } },
        /must be a User, but inputPeerSelf is a InputPeer/,
      ],
      [{ _: 'auth.authorization', user: 'me' }, /must be a TL object \(User\)/],
    ];
    for (const [value, message] of cases) {
      const error = codecError(() => serialize(value, view));
      expect(error.code, String(message)).toBe('ENCODE_VALUE_INVALID');
      expect(error.message).toMatch(message);
    }
  });

  it('rejects unknown names', () => {
    const error = codecError(() => serialize({ _: 'noSuchConstructor' }, view));
    expect(error.code).toBe('ENCODE_NAME_INVALID');
    expect(error.message).toContain('noSuchConstructor');
    expect(error.message).toContain('198');
    const missing = codecError(() => serialize({} as TlObject, view));
    expect(missing.code).toBe('ENCODE_VALUE_INVALID');
  });

  it('round-trips values by type text', () => {
    const cases: Array<[string, unknown]> = [
      ['Vector<long>', [1n, -2n]],
      ['Vector<int>', [1, -2]],
      ['Bool', false],
      ['Vector<User>', [{ _: 'userEmpty', id: 9n }]],
      ['vector<future_salt>', [{ _: 'future_salt', valid_since: 1, valid_until: 2, salt: 3n }]],
      ['Vector<Vector<string>>', [['a'], []]],
      ['%Pong', { _: 'pong', msg_id: 1n, ping_id: 2n }],
    ];
    for (const [type, value] of cases) {
      const writer = new TlWriter();
      encodeValue(writer, type, value, view);
      const reader = new TlReader(writer.finish());
      expect(decodeValue(reader, type, view), type).toEqual(value);
      expect(reader.remaining, type).toBe(0);
    }
  });

  it('rejects deep or cyclic values', () => {
    let peer: TlObject = { _: 'inputPeerSelf' };
    for (let i = 0; i < MAX_DEPTH + 1; i++) {
      peer = { _: 'inputPeerUserFromMessage', peer, msg_id: i, user_id: 1n };
    }
    const error = codecError(() => serialize(peer, view));
    expect(error.code).toBe('ENCODE_VALUE_INVALID');
    expect(error.message).toContain(String(MAX_DEPTH));

    const cyclic: TlObject = { _: 'inputPeerUserFromMessage', msg_id: 1, user_id: 1n };
    cyclic.peer = cyclic;
    expect(codecError(() => serialize(cyclic, view)).code).toBe('ENCODE_VALUE_INVALID');
  });
});

describe('codec decoding errors', () => {
  function hostile(hex: string): TlCodecError {
    return codecError(() => decodeObject(new TlReader(Buffer.from(hex, 'hex')), view));
  }

  it('rejects unknown top-level id', () => {
    const error = hostile(u32(0xdeadbeef) + '00000000');
    expect(error.code).toBe('INPUT_METHOD_INVALID');
    expect(error.constructorId).toBe(0xdeadbeef);
    expect(error.message).toContain('deadbeef');
  });

  it('rejects unknown field constructors', () => {
    // auth.authorization#2ea2c0d4 flags:# ... user:User
    const unknown = hostile(u32(0x2ea2c0d4) + u32(0) + u32(0x01020304));
    expect(unknown.code).toBe('INPUT_CONSTRUCTOR_INVALID');
    expect(unknown.message).toContain('01020304');
    expect(unknown.message).toContain('User');

    const mistyped = hostile(u32(0x2ea2c0d4) + u32(0) + u32(0x7da07ec9));
    expect(mistyped.code).toBe('INPUT_CONSTRUCTOR_INVALID');
    expect(mistyped.message).toContain('inputPeerSelf');

    const method = hostile(u32(0x2ea2c0d4) + u32(0) + u32(0xc4f9186b));
    expect(method.code).toBe('INPUT_CONSTRUCTOR_INVALID');
  });

  it('rejects bad Bool and vector ids', () => {
    // inputPeerNotifySettings with flags.0 set and a non-Bool id.
    const bool = hostile(u32(0xcacb6ae2) + u32(1) + u32(0x12345678));
    expect(bool.code).toBe('INPUT_CONSTRUCTOR_INVALID');
    expect(bool.message).toContain('12345678');

    const vector = hostile(u32(0x62d6b459) + u32(0x11111111) + u32(0));
    expect(vector.code).toBe('INPUT_CONSTRUCTOR_INVALID');
    expect(vector.message).toContain('1cb5c415');
  });

  it('rejects bad vector counts', () => {
    const negative = hostile(u32(0x62d6b459) + u32(0x1cb5c415) + u32(-1));
    expect(negative.code).toBe('INPUT_FETCH_ERROR');

    const huge = hostile(u32(0x62d6b459) + u32(0x1cb5c415) + u32(0x7fffffff) + i64(1n));
    expect(huge.code).toBe('INPUT_FETCH_ERROR');
    expect(huge.message).toContain('2147483647');

    // Two longs announced, one present: 8-byte items make 16 bytes necessary.
    const short = hostile(u32(0x62d6b459) + u32(0x1cb5c415) + u32(2) + i64(1n) + '0000');
    expect(short.code).toBe('INPUT_FETCH_ERROR');

    // future_salt items take 16 bytes each.
    const salts = hostile(u32(0xae500895) + i64(1n) + u32(0) + u32(2) + '00'.repeat(31));
    expect(salts.code).toBe('INPUT_FETCH_ERROR');
  });

  it('rejects deep nesting', () => {
    // inputPeerUserFromMessage#a87b0a1c peer:InputPeer msg_id:int user_id:long, nested 200 times.
    const depth = 200;
    const hex = u32(0xa87b0a1c).repeat(depth) + u32(0x7da07ec9) + (u32(0) + i64(0n)).repeat(depth);
    const error = hostile(hex);
    expect(error.code).toBe('INPUT_FETCH_ERROR');
    expect(error.message).toContain(`deeper than ${MAX_DEPTH}`);

    const allowed = u32(0xa87b0a1c).repeat(20) + u32(0x7da07ec9) + (u32(0) + i64(0n)).repeat(20);
    expect(deserialize(Buffer.from(allowed, 'hex'), view)._).toBe('inputPeerUserFromMessage');
  });

  it('rejects trailing bytes in deserialize only', () => {
    const bytes = Buffer.concat([serialize({ _: 'ping', ping_id: 1n }, view), Buffer.alloc(4)]);
    const error = codecError(() => deserialize(bytes, view));
    expect(error.code).toBe('INPUT_FETCH_ERROR');
    expect(error.message).toContain('4 bytes left after ping');

    const reader = new TlReader(bytes);
    expect(decodeObject(reader, view)).toEqual({ _: 'ping', ping_id: 1n });
    expect(reader.remaining).toBe(4);
  });

  it('decodes ids across layers', () => {
    const writer = new TlWriter();
    encodeObject(writer, { _: 'help.getConfig' }, defaultRegistry().view(1));
    expect(deserialize(writer.finish(), defaultRegistry().view(500))).toEqual({
      _: 'help.getConfig',
    });
  });
});

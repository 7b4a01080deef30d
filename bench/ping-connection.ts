import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { systemClock } from '../server/clock.js';
import {
  MSG_CONTAINER_ID,
  parseContainer,
  RPC_RESULT_ID,
} from '../server/session/message-container.js';
import { createFraming } from '../server/transport/create-framing.js';
import type { Framing } from '../server/transport/framing.js';
import type { ClientAuthKey } from '../test-support/mtproto-client.js';
import { openServerMessage, sealClientMessage } from '../test-support/client-messages.js';
import { ClientMsgIds } from '../test-support/client-msg-ids.js';

const PING_ID = 0x7abe77ec;
const PONG_ID = 0x347773c5;
const GET_NEAREST_DC_ID = 0x1fb33026;
const NEAREST_DC_ID = 0x8e1a1775;
/** Messages a server may send beside the response, which need no action in this benchmark. */
const IGNORED_IDS = new Set([
  0x9ec20908, // new_session_created
  0x62d6b459, // msgs_ack
]);

/**
 * Request a connection sends: `ping`, a service message that the session layer handles, or
 * `help.getNearestDc`, an RPC without parameters that goes through the dispatcher, the request
 * journal and a handler, as every API call does.
 */
export type PingRequest = 'ping' | 'help.getNearestDc';

/**
 * A load generator for the ping benchmarks: one TCP connection that sends encrypted `ping`s
 * under an existing auth key and waits for each `pong` before the next.
 *
 * In live mode (`pingUntil`) it does per round trip what every MTProto client must do and
 * nothing else. It sends a fresh msg_id, seq_no and random padding under AES-IGE. On receipt it
 * decrypts, checks the msg_key, session_id and length, and matches the pong to its ping.
 * The general test client adds an inbox, timers, TL decoding and a history on top.
 *
 * In prepared mode (`prepare`, `runPrepared`, `verifyPrepared`) the pings are sealed before the
 * timed window and the replies are decrypted and checked after it, the way HTTP load generators
 * send prebuilt requests. The client then spends little CPU inside the window, so on a machine
 * that runs both sides the rate shows what the server can do rather than what the client can.
 */
export class PingConnection {
  private readonly framing: Framing = createFraming('intermediate');
  private readonly msgIds = new ClientMsgIds(systemClock);
  private readonly sessionId = randomBytes(8).readBigInt64LE(0);
  private contentSent = 0;
  private pingId = 0n;
  private waiting?: { pingId: bigint; resolve(): void; reject(error: Error): void };
  private failure?: Error;
  /** Framed requests from prepare(), with the ping_id of the first or the msg_id of each. */
  private prepared: Buffer[] = [];
  private preparedRequest: PingRequest = 'ping';
  private firstPreparedId = 0n;
  private preparedMsgIds: bigint[] = [];
  /** Replies received by runPrepared(), in order, still encrypted. */
  private replies: Buffer[] = [];
  private preparedRun?: {
    deadline: number;
    resolve(count: number): void;
    reject(error: Error): void;
  };

  private constructor(
    private readonly socket: Socket,
    private readonly key: ClientAuthKey,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.once('close', () => this.fail(new Error('the server closed a ping connection')));
  }

  /** Connects to 127.0.0.1:`port` with intermediate framing and uses `key` for every message. */
  static async open(port: number, key: ClientAuthKey): Promise<PingConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    socket.write(Buffer.from('eeeeeeee', 'hex'));
    return new PingConnection(socket, key);
  }

  /** Sends one ping and resolves when its pong arrives. */
  ping(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const pingId = ++this.pingId;
    const promise = new Promise<void>((resolve, reject) => {
      this.waiting = { pingId, resolve, reject };
    });
    this.socket.write(this.framing.encode(this.sealPing(pingId)));
    return promise;
  }

  /** Sends pings one after another until `deadline` (performance.now()); returns each round trip in ms. */
  async pingUntil(deadline: number): Promise<number[]> {
    const roundTrips: number[] = [];
    while (performance.now() < deadline) {
      const started = performance.now();
      await this.ping();
      roundTrips.push(performance.now() - started);
    }
    return roundTrips;
  }

  /** Seals `count` requests for runPrepared(), which sends them in this order. */
  prepare(count: number, request: PingRequest = 'ping'): void {
    this.preparedRequest = request;
    this.firstPreparedId = this.pingId + 1n;
    this.preparedMsgIds = [];
    this.prepared = Array.from({ length: count }, () => {
      if (request === 'ping') return this.framing.encode(this.sealPing(++this.pingId));
      const body = Buffer.alloc(4);
      body.writeUInt32LE(GET_NEAREST_DC_ID, 0);
      const { packet, msgId } = this.seal(body);
      this.preparedMsgIds.push(msgId);
      return this.framing.encode(packet);
    });
    this.replies = [];
  }

  /**
   * Sends the prepared pings one at a time, each after the reply to the previous one, until
   * `deadline` (performance.now()) or until none is left. Returns how many got a reply. A reply
   * is any packet here: verifyPrepared() checks afterwards that each one carries its pong.
   */
  runPrepared(deadline: number): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.prepared.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.preparedRun = { deadline, resolve, reject };
      this.socket.write(this.prepared[0]);
    });
  }

  /**
   * Decrypts every reply of the last runPrepared() and checks that reply i carries the response to
   * request i: its pong, or an rpc_result with nearestDc.
   */
  verifyPrepared(): void {
    this.replies.forEach((reply, index) => {
      if (this.preparedRequest === 'ping') {
        const expected = this.firstPreparedId + BigInt(index);
        const pingId = this.readPong(reply);
        if (pingId !== expected) {
          throw new Error(`reply ${index} carries pong ${pingId}, expected ping_id ${expected}`);
        }
        return;
      }
      const expected = this.preparedMsgIds[index];
      const reqMsgId = this.readNearestDcResult(reply);
      if (reqMsgId !== expected) {
        throw new Error(`reply ${index} responds to msg_id ${reqMsgId}, expected ${expected}`);
      }
    });
  }

  close(): void {
    this.failure ??= new Error('ping connection closed');
    this.socket.destroy();
  }

  private sealPing(pingId: bigint): Buffer {
    const body = Buffer.allocUnsafe(12);
    body.writeUInt32LE(PING_ID, 0);
    body.writeBigInt64LE(pingId, 4);
    return this.seal(body).packet;
  }

  /** Encrypts one content-related message with a fresh msg_id and random padding. */
  private seal(body: Buffer): { packet: Buffer; msgId: bigint } {
    const msgId = this.msgIds.next();
    const packet = sealClientMessage(this.key.authKey, this.key.authKeyId, {
      salt: this.key.serverSalt,
      sessionId: this.sessionId,
      msgId,
      // Both requests are content-related, so their seq_no is odd.
      seqNo: this.contentSent++ * 2 + 1,
      body,
    });
    return { packet, msgId };
  }

  private onData(chunk: Buffer): void {
    try {
      for (const payload of this.framing.push(chunk)) {
        if (this.preparedRun) this.onPreparedReply(payload);
        else this.onPacket(payload);
      }
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
    }
  }

  private onPreparedReply(packet: Buffer): void {
    const run = this.preparedRun!;
    this.replies.push(packet);
    const answered = this.replies.length;
    if (answered < this.prepared.length && performance.now() < run.deadline) {
      this.socket.write(this.prepared[answered]);
      return;
    }
    this.preparedRun = undefined;
    run.resolve(answered);
  }

  private onPacket(packet: Buffer): void {
    const pingId = this.readPong(packet);
    if (pingId === undefined) return;
    const waiting = this.waiting;
    if (waiting === undefined || pingId !== waiting.pingId) {
      throw new Error(`unexpected pong for ping_id ${pingId}`);
    }
    this.waiting = undefined;
    waiting.resolve();
  }

  /**
   * Decrypts one server packet, checks it as a client must, and returns the ping_id of the pong
   * it carries, or undefined when it carries none. Any other message is an error here.
   */
  private readPong(packet: Buffer): bigint | undefined {
    let pingId: bigint | undefined;
    for (const body of this.openBodies(packet)) {
      const constructorId = body.readUInt32LE(0);
      if (constructorId !== PONG_ID || body.length !== 20 || pingId !== undefined) {
        throw new Error(
          `unexpected server message with constructor 0x${constructorId.toString(16)}`,
        );
      }
      pingId = body.readBigInt64LE(12);
    }
    return pingId;
  }

  /** Returns the req_msg_id of the rpc_result with nearestDc that a packet carries. */
  private readNearestDcResult(packet: Buffer): bigint {
    const [body, ...rest] = this.openBodies(packet);
    if (
      body === undefined ||
      rest.length > 0 ||
      body.readUInt32LE(0) !== RPC_RESULT_ID ||
      body.readUInt32LE(12) !== NEAREST_DC_ID
    ) {
      throw new Error('a reply is not one rpc_result with nearestDc');
    }
    return body.readBigInt64LE(4);
  }

  /**
   * Decrypts one server packet with the test client's checks (auth_key_id, msg_key, length and
   * padding), checks the session_id, and returns the message bodies it carries, without
   * new_session_created and msgs_ack.
   */
  private openBodies(packet: Buffer): Buffer[] {
    if (packet.length === 4) {
      throw new Error(`the server sent transport error ${packet.readInt32LE(0)}`);
    }
    const { sessionId, body } = openServerMessage(this.key.authKey, this.key.authKeyId, packet);
    if (sessionId !== this.sessionId) {
      throw new Error('a server packet carries another session_id');
    }
    // The first response of a session shares a container with new_session_created.
    const bodies =
      body.readUInt32LE(0) === MSG_CONTAINER_ID
        ? parseContainer(body).map((inner) => inner.body)
        : [body];
    return bodies.filter((inner) => !IGNORED_IDS.has(inner.readUInt32LE(0)));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
    const run = this.preparedRun;
    this.preparedRun = undefined;
    run?.reject(this.failure);
  }
}

import { randomBytes } from 'node:crypto';
import type { AuthKeyRecord } from './auth-key-store.js';
import type { ServerMsgKind } from './msg-id.js';

/** An outgoing message waiting for the next flush; msg_id and seq_no are given at flush time. */
export interface OutgoingMessage {
  body: Buffer;
  kind: ServerMsgKind;
  /** Content-related messages need an ack and take odd seq_nos. */
  contentRelated: boolean;
  /** For rpc_result: the client msg_id it responds to, so that pending acks can skip it. */
  answersMsgId?: bigint;
}

/** Transport connection for a session's messages: the one that last carried the session. */
export interface SessionTransport {
  readonly id: number;
  send(payload: Buffer): void;
  readonly closed: boolean;
}

/** msgs_state_info status bits, as the MTProto service-message docs define them. */
export const MsgState = {
  unknown: 1,
  notReceived: 2,
  /** Not received, and the msg_id is above every msg_id received so far. */
  notReceivedYet: 3,
  received: 4,
  acknowledged: 8,
  noAckNeeded: 16,
  answered: 64,
} as const;

/** How many client msg_ids a session remembers for duplicates, seq_no checks and msgs_state_req. */
const RECENT_LIMIT = 512;

interface ReceivedMessage {
  seqNo: number;
  answered: boolean;
}

/**
 * One MTProto session (a client session_id under one auth key): its seq_no counter, the client
 * messages it has seen, and the outbox that the next flush encrypts and sends.
 */
export class Session {
  /** Random id sent in new_session_created; mtcute compares it to spot a server-side restart. */
  readonly uniqueId = randomBytes(8).readBigInt64LE(0);
  transport?: SessionTransport;
  /** Whether new_session_created has been sent; it goes with the first message that has a valid salt. */
  announced = false;
  readonly outbox: OutgoingMessage[] = [];
  /** Client msg_ids of content-related messages that still need an ack or a response. */
  readonly unacknowledged = new Set<bigint>();
  private contentSent = 0;
  private readonly received = new Map<bigint, ReceivedMessage>();
  /** Received msg_ids in arrival order: a list that becomes a ring once RECENT_LIMIT long. */
  private readonly receivedOrder: bigint[] = [];
  private receivedNext = 0;
  /** Highest msg_id and highest seq_no received so far, evicted messages included. */
  private maxReceivedMsgId: bigint | undefined;
  private maxReceivedSeqNo: number | undefined;

  constructor(
    readonly sessionId: bigint,
    readonly key: AuthKeyRecord,
  ) {}

  /** Returns the seq_no for the next outgoing message and counts content-related ones. */
  nextSeqNo(contentRelated: boolean): number {
    if (!contentRelated) return this.contentSent * 2;
    return this.contentSent++ * 2 + 1;
  }

  hasReceived(msgId: bigint): boolean {
    // A msg_id above every one received so far is new. Messages almost always arrive in msg_id
    // order, so most calls skip the Map lookup.
    if (this.maxReceivedMsgId === undefined || msgId > this.maxReceivedMsgId) return false;
    return this.received.has(msgId);
  }

  /** Records a client message; the oldest entries go once the window is full. */
  markReceived(msgId: bigint, seqNo: number): void {
    const isNew = !this.hasReceived(msgId);
    this.received.set(msgId, { seqNo, answered: false });
    if (this.maxReceivedMsgId === undefined || msgId > this.maxReceivedMsgId) {
      this.maxReceivedMsgId = msgId;
    }
    if (this.maxReceivedSeqNo === undefined || seqNo > this.maxReceivedSeqNo) {
      this.maxReceivedSeqNo = seqNo;
    }
    if (!isNew) return;
    if (this.receivedOrder.length < RECENT_LIMIT) {
      this.receivedOrder.push(msgId);
      return;
    }
    // The ring keeps insertion order, so eviction needs no Map iterator.
    const evicted = this.receivedOrder[this.receivedNext];
    this.receivedOrder[this.receivedNext] = msgId;
    this.receivedNext = (this.receivedNext + 1) % RECENT_LIMIT;
    this.received.delete(evicted);
  }

  markAnswered(msgId: bigint): void {
    const entry = this.received.get(msgId);
    if (entry) entry.answered = true;
    this.unacknowledged.delete(msgId);
  }

  /**
   * Applies the seq_no rules against the messages seen so far: 32 when an older msg_id carries a
   * higher seq_no (or the same odd one), 33 when a newer msg_id carries a lower one.
   */
  checkSeqNo(msgId: bigint, seqNo: number): 32 | 33 | undefined {
    const odd = (seqNo & 1) === 1;
    if (this.maxReceivedSeqNo === undefined) return undefined;
    // Messages almost always arrive in msg_id order. Then every message seen is older, so only
    // the highest seq_no among them matters and no scan is needed.
    if (this.maxReceivedMsgId !== undefined && msgId > this.maxReceivedMsgId) {
      const highest = this.maxReceivedSeqNo;
      return highest > seqNo || (highest === seqNo && odd) ? 32 : undefined;
    }
    for (const [otherId, other] of this.received) {
      if (otherId < msgId && (other.seqNo > seqNo || (other.seqNo === seqNo && odd))) return 32;
      if (otherId > msgId && (other.seqNo < seqNo || (other.seqNo === seqNo && odd))) return 33;
    }
    return undefined;
  }

  /**
   * Returns the msgs_state_info status byte of one client msg_id. An id that was not received
   * is unknown below the remembered range, not received inside it, and not received yet above it.
   */
  stateOf(msgId: bigint): number {
    const entry = this.received.get(msgId);
    if (entry) return entry.answered ? MsgState.received | MsgState.answered : MsgState.received;
    let lowest: bigint | undefined;
    let highest: bigint | undefined;
    for (const id of this.received.keys()) {
      if (lowest === undefined || id < lowest) lowest = id;
      if (highest === undefined || id > highest) highest = id;
    }
    if (lowest === undefined || highest === undefined || msgId < lowest) return MsgState.unknown;
    return msgId > highest ? MsgState.notReceivedYet : MsgState.notReceived;
  }

  enqueue(message: OutgoingMessage): void {
    this.outbox.push(message);
    if (message.answersMsgId !== undefined) this.markAnswered(message.answersMsgId);
  }
}

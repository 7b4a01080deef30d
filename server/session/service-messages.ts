import type { Clock } from '../clock.js';
import { unixSeconds } from '../clock.js';
import type { TlObject } from '../tl/types.js';
import { buildRpcResult } from './message-container.js';
import type { Session } from './session.js';

/**
 * Operations that service messages need from the layer that owns connections and keys. Everything else the
 * handlers below do themselves, on the session.
 */
export interface ServiceMessageHost {
  readonly clock: Clock;
  /** Encodes a service object (pong, future_salts, ...) with the session's schema view. */
  encode(session: Session, value: TlObject): Buffer;
  /** Arms, or re-arms, the timer that closes the connection after `delaySeconds` of silence. */
  armDisconnect(delaySeconds: number): void;
  destroySession(session: Session, sessionId: bigint): boolean;
  destroyAuthKey(session: Session): void;
}

/** Service messages that are not content-related: they take even seq_nos and need no ack. */
const NOT_CONTENT_RELATED = new Set(['msgs_ack', 'msg_container', 'http_wait']);

export function isContentRelated(name: string): boolean {
  return !NOT_CONTENT_RELATED.has(name);
}

/**
 * Handles one decoded service message and queues its response on the session. Returns false when
 * the object is not a service message, so the caller treats it as an RPC query.
 * pong, future_salts, msgs_state_info and destroy_session_* travel as top-level messages,
 * never inside rpc_result, because clients match them by type.
 */
export function handleServiceMessage(
  message: TlObject,
  msgId: bigint,
  session: Session,
  host: ServiceMessageHost,
): boolean {
  const reply = (value: TlObject, contentRelated = false) =>
    session.enqueue({ body: host.encode(session, value), kind: 'response', contentRelated });

  switch (message._) {
    case 'msgs_ack':
      // The client confirms our content-related messages; nothing is resent, so nothing to do.
      return true;

    case 'ping':
      reply({ _: 'pong', msg_id: msgId, ping_id: message.ping_id });
      session.markAnswered(msgId);
      return true;

    case 'ping_delay_disconnect':
      reply({ _: 'pong', msg_id: msgId, ping_id: message.ping_id });
      session.markAnswered(msgId);
      host.armDisconnect(Number(message.disconnect_delay));
      return true;

    case 'get_future_salts': {
      const salts = session.key.salts.future(Number(message.num));
      reply({
        _: 'future_salts',
        req_msg_id: msgId,
        now: unixSeconds(host.clock),
        salts: salts.map((salt) => ({
          _: 'future_salt',
          valid_since: salt.validSince,
          valid_until: salt.validUntil,
          salt: salt.salt,
        })),
      });
      session.markAnswered(msgId);
      return true;
    }

    case 'msgs_state_req': {
      const ids = message.msg_ids as bigint[];
      const info = Buffer.from(ids.map((id) => session.stateOf(id)));
      reply({ _: 'msgs_state_info', req_msg_id: msgId, info });
      session.markAnswered(msgId);
      return true;
    }

    case 'destroy_session': {
      const target = message.session_id as bigint;
      const destroyed = host.destroySession(session, target);
      reply({ _: destroyed ? 'destroy_session_ok' : 'destroy_session_none', session_id: target });
      session.markAnswered(msgId);
      return true;
    }

    case 'destroy_auth_key':
      reply({ _: 'destroy_auth_key_ok' });
      session.markAnswered(msgId);
      host.destroyAuthKey(session);
      return true;

    case 'rpc_drop_answer': {
      // Every response is sent as soon as it exists, so there is never one left to drop.
      const body = host.encode(session, { _: 'rpc_answer_unknown' });
      // rpc_drop_answer is itself a query, so its rpc_result refers to its own msg_id.
      session.enqueue({
        body: buildRpcResult(msgId, body),
        kind: 'response',
        contentRelated: true,
        answersMsgId: msgId,
      });
      return true;
    }

    case 'http_wait':
    case 'msg_resend_req':
    case 'msgs_all_info':
    case 'msg_detailed_info':
    case 'msg_new_detailed_info':
      // NOTE: these are accepted and ignored: the mock responds at once and never resends.
      return true;

    default:
      return false;
  }
}

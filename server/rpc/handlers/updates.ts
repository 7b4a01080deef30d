import { unixSeconds } from '../../clock.js';
import type { RpcHandler } from '../context.js';

/**
 * updates.* methods. The mock sends no updates, so the state is always at its start and every
 * difference is empty.
 */
export function createUpdatesHandlers(): Record<string, RpcHandler> {
  return {
    'updates.getState': (_params, ctx) => ({
      _: 'updates.state',
      pts: 1,
      qts: 0,
      date: unixSeconds(ctx.clock),
      seq: 0,
      unread_count: 0,
    }),
    'updates.getDifference': (_params, ctx) => ({
      _: 'updates.differenceEmpty',
      date: unixSeconds(ctx.clock),
      seq: 0,
    }),
  };
}

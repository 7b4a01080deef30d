import type { ReceivedMessage } from './client-messages.js';
import { ReceiveTimeoutError } from './client-transport.js';

interface Waiter {
  predicate(message: ReceivedMessage): boolean;
  resolve(message: ReceivedMessage): void;
  reject(error: Error): void;
}

/**
 * Server messages that no test has taken yet, and the calls that wait for one. A message goes to
 * the first waiting call whose predicate matches it, or stays until a later call requests it.
 */
export class MessageInbox {
  private readonly messages: ReceivedMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly failures: Error[] = [];
  private closeReason?: Error;

  /** Hands a message to the first matching waiter, or keeps it. */
  deliver(message: ReceivedMessage): void {
    const waiter = this.waiters.find((candidate) => candidate.predicate(message));
    if (!waiter) {
      this.messages.push(message);
      return;
    }
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    waiter.resolve(message);
  }

  /** Rejects every waiting call with the error, or keeps it for the next call if none waits. */
  fail(error: Error): void {
    if (this.waiters.length === 0) {
      this.failures.push(error);
      return;
    }
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** Rejects the waiting calls, and every later call that finds no matching message. */
  close(reason: Error): void {
    this.closeReason ??= reason;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }

  /**
   * Resolves with the first kept or arriving message that matches, and removes it. Rejects
   * with a kept failure, after close(), or with ReceiveTimeoutError after `timeoutMs`.
   */
  waitFor(
    predicate: (message: ReceivedMessage) => boolean,
    timeoutMs: number,
  ): Promise<ReceivedMessage> {
    const index = this.messages.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.messages.splice(index, 1)[0]);
    const failure = this.failures.shift() ?? this.closeReason;
    if (failure) return Promise.reject(failure);

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const pending = this.messages.map((message) => message.object._).join(', ') || 'none';
        reject(
          new ReceiveTimeoutError(
            `no matching message within ${timeoutMs} ms; unclaimed messages: ${pending}`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }
}

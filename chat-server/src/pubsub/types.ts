import type { Channels } from './channels.ts';

/**
 * What travels on a channel: a plain JSON object. Both implementations round-trip it through
 * JSON, so a Date arrives as a string and `undefined` fields vanish, on one instance as on many.
 * Handlers on one node share the decoded object: treat it as read-only.
 */
export type PubSubEvent = Record<string, unknown>;

/** Called once per event, in publish order for a given publisher. A returned promise is awaited only for errors. */
export type PubSubHandler = (event: PubSubEvent, channel: string) => void | Promise<void>;

/** Stops one subscription. Idempotent: calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * Why the core must re-read from Postgres. `reconnected`: this node's subscriber lost its
 * connection and has resubscribed. `peer-publish-failed`: another node could not publish while
 * its Redis connection was down and asks everyone to catch up.
 */
export type ResyncReason = 'reconnected' | 'peer-publish-failed';

/**
 * Pub/sub between chat-server instances. The core publishes once per conversation event (never once
 * per recipient) and every node with a local listener on that channel delivers it to its sockets.
 *
 * Pub/sub is lossy by design: the message is already in Postgres when it is published. When events
 * may have been missed, `onResync` fires and the core re-reads each live conversation from its last
 * delivered seq. Handlers may therefore see an event that the re-read also returned: dedupe by seq.
 */
export interface PubSub {
  /** Channel name builders, prefixed with this instance's configured prefix. */
  readonly channels: Channels;

  /**
   * Delivers `event` to this node's handlers right away (in order), then to other nodes.
   * Rejects with `PubSubError` when the event is not a JSON object, after `close()`, or when Redis
   * is unreachable. In the last case local handlers were already served and other nodes will be
   * told to resync once Redis is back: log it, don't retry.
   */
  publish(channel: string, event: PubSubEvent): Promise<void>;

  /**
   * Adds a handler. N handlers on one channel share ONE upstream subscription (reference counted).
   * Resolves once events published elsewhere will reach the handler, or at once if Redis is down
   * (then `onResync` fires after reconnecting). Read any backlog from Postgres AFTER it resolves.
   */
  subscribe(channel: string, handler: PubSubHandler): Promise<Unsubscribe>;

  /** Registers a callback for "messages may have been missed". Returns a remover. */
  onResync(callback: (reason: ResyncReason) => void): () => void;

  /** True while events reach other nodes (always true in-process). For /readyz and metrics. */
  isConnected(): boolean;

  /** Drops every handler and closes connections. Idempotent; later publish/subscribe calls fail. */
  close(): Promise<void>;
}

/** The one error type pub/sub rejects with; `code` says why. */
export class PubSubError extends Error {
  constructor(
    readonly code: 'invalid_event' | 'invalid_channel' | 'closed' | 'unavailable',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PubSubError';
  }
}

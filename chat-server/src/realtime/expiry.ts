/**
 * Token expiry for every connection of an instance with one timer instead of one per connection
 * (a Timeout, its closure and a timer list entry cost ~250 bytes on each idle connection).
 * Sessions sit in one bucket per expiry second; a once-a-second tick ends the due ones, so a
 * connection closes with 4001 at most about a second after its token's `exp`. The timer runs only
 * while some session is waiting.
 */
import type { Session } from './session.ts';

const TICK_MS = 1000;

export class ExpiryWheel {
  private readonly buckets = new Map<number, Set<Session>>();
  /** The next second to process: every bucket before it has been emptied. */
  private cursor = nowSeconds();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly expired: (session: Session) => void) {}

  /** Watches a session; false when its token has already expired (the caller ends it). */
  add(session: Session): boolean {
    const exp = expirySecond(session);
    if (exp <= nowSeconds()) return false;
    if (!this.timer) {
      // Idle until now: start counting from this second, not from when it last ran.
      this.cursor = nowSeconds();
      this.timer = setInterval(() => this.tick(), TICK_MS).unref();
    }
    // exp is past the current second, so its bucket has not been processed yet.
    let bucket = this.buckets.get(exp);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(exp, bucket);
    }
    bucket.add(session);
    return true;
  }

  remove(session: Session): void {
    const exp = expirySecond(session);
    const bucket = this.buckets.get(exp);
    if (!bucket?.delete(session) || bucket.size > 0) return;
    this.buckets.delete(exp);
    this.stopIfIdle();
  }

  /**
   * Moves a watched session to a later token expiry (`auth.refresh`): out of its bucket, `exp`
   * updated, into the new one. False, with nothing changed, when the session is not watched (it
   * ended) or `exp` is not in the future.
   */
  move(session: Session, exp: number): boolean {
    if (Math.ceil(exp) <= nowSeconds() || !this.buckets.get(expirySecond(session))?.has(session))
      return false;
    this.remove(session);
    session.principal.exp = exp;
    return this.add(session);
  }

  close(): void {
    this.buckets.clear();
    this.stopIfIdle();
  }

  private tick(): void {
    const now = nowSeconds();
    for (; this.cursor <= now; this.cursor++) {
      const bucket = this.buckets.get(this.cursor);
      if (!bucket) continue;
      this.buckets.delete(this.cursor);
      for (const session of bucket) this.expired(session);
    }
    this.stopIfIdle();
  }

  private stopIfIdle(): void {
    if (this.buckets.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** `exp` is in seconds; a fractional one counts from the next whole second. */
function expirySecond(session: Session): number {
  return Math.ceil(session.principal.exp);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

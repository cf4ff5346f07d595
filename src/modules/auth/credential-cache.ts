/**
 * Who a bearer token is (and, for a connector, what its system owns), remembered for a moment so
 * the connectors' hot path does not pay two queries before every resolver (docs/benchmarks.md).
 *
 * Staleness is bounded twice: this instance forgets everything when a token is revoked or rotated
 * or an ownership rule or system changes (`invalidate`, called after those transactions commit),
 * and every entry expires after `ttlMs` (and never outlives its token), which bounds how long
 * another replica may still accept a token revoked elsewhere. A lookup that started before an
 * invalidation is not stored, so a revocation can never be undone by a slow request.
 */
export class CredentialCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private generation = 0;
  /** While set, nothing is remembered: the notifications that would empty the cache may be missed. */
  private bypass = false;

  readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  async get(key: string, load: () => Promise<{ value: V; expiresAt: Date | null }>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const generation = this.generation;
    const { value, expiresAt } = await load();
    if (this.ttlMs > 0 && !this.bypass && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear(); // tokens are few; a flood of new ones just resets
      this.entries.set(key, { value, until: Math.min(now + this.ttlMs, expiresAt?.getTime() ?? Infinity) });
    }
    return value;
  }

  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /**
   * Stops remembering (and forgets everything) while the change listener is down, so a token revoked
   * on another replica is refused at once rather than when its entry expires; remembers again after.
   */
  setBypass(on: boolean): void {
    this.bypass = on;
    this.invalidate();
  }

  get bypassed(): boolean {
    return this.bypass;
  }
}

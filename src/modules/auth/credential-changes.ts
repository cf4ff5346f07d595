/**
 * The signal that a token, a system or an ownership rule changed: the services that make such
 * changes announce them after their transaction commits, and the credential cache (src/callers.ts)
 * listens — it forgets what it knew and tells the other replicas.
 */
export class CredentialChanges {
  private readonly listeners: (() => void | Promise<void>)[] = [];

  onChange(listener: () => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /** Awaits `work` (a committed transaction), then tells every listener; resolves to its result. */
  async after<T>(work: Promise<T>): Promise<T> {
    const result = await work;
    for (const listener of this.listeners) await listener();
    return result;
  }
}

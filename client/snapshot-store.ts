/** Holds the one current ClientSnapshot, replaces it on change and notifies listeners. */
import { initialSnapshot, type ClientSnapshot } from './types.js';

type Listener = (snapshot: ClientSnapshot) => void;

/** The current snapshot and its listeners. */
export class SnapshotStore {
  private current: ClientSnapshot;
  private readonly listeners = new Set<Listener>();

  constructor(serverUrl: string) {
    this.current = Object.freeze(initialSnapshot(serverUrl));
  }

  /** The current snapshot (never mutated; a change replaces it). */
  get(): ClientSnapshot {
    return this.current;
  }

  /** Applies a reducer; listeners hear about it only when it returned a new object. */
  update(reduce: (s: ClientSnapshot) => ClientSnapshot): void {
    const next = reduce(this.current);
    if (next === this.current) return;
    this.current = Object.freeze(next);
    for (const listener of [...this.listeners]) {
      try {
        listener(this.current);
      } catch {
        // A broken listener must not stop the others or the client.
      }
    }
  }

  /** Adds a listener; returns its unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

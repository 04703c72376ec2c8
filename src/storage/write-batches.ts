/** A change to one key: its new value, or null for a deletion (which JSON keeps, for a hand-off). */
export type Change<V> = [key: string, value: V | null];

/**
 * Runs `change` in one readwrite transaction (see `SafeStore.run` in src/lib/idb.ts); resolves
 * with what it returned once committed, or with undefined where nothing was stored.
 */
export type Write = <T>(change: (objectStore: IDBObjectStore) => T, requestsMade?: boolean) => Promise<T | undefined>;

/**
 * Changes waiting for their IndexedDB write. A write waits for a later task, so that the caller
 * (a click) pays for none of it, and takes every change added until then: a landing page that
 * changes each of its objects makes one transaction.
 */
export function createWriteBatches<V>(write: Write) {
  // Changes not committed yet (what a hand-off passes on), and of those, the ones no write has
  // taken yet: each write takes only these, or a slow store would get every change again.
  const uncommitted = new Map<string, V | null>();
  const unwritten = new Map<string, V | null>();
  // The write waiting for its task: changes added until then join it.
  let nextWrite: Promise<void> | undefined;

  /** Writes the changes no write has taken yet, in one transaction; resolves once they are committed. */
  const commit = () => {
    nextWrite = undefined;
    const changes = [...unwritten];
    unwritten.clear();
    return write((objectStore) => {
      for (const [key, value] of changes) {
        if (value) objectStore.put(value, key);
        else objectStore.delete(key);
      }
      // What `write` resolves with once committed; undefined where nothing was stored.
      return true;
    }, true).then((committed) => {
      // A change made again meanwhile is still to be committed.
      for (const [key, value] of changes) {
        if (committed && uncommitted.get(key) === value) uncommitted.delete(key);
      }
    });
  };

  return {
    uncommitted,
    /** Records changes for the next write. */
    add(changes: Change<V>[]) {
      for (const [key, value] of changes) {
        uncommitted.set(key, value);
        unwritten.set(key, value);
      }
    },
    /** Writes what was added, in a later task; resolves once it is committed. */
    writeSoon() {
      nextWrite ??= new Promise((resolve) => setTimeout(resolve)).then(commit);
      return nextWrite;
    },
    /** Forgets every change, written or not. */
    clear() {
      uncommitted.clear();
      unwritten.clear();
    },
  };
}

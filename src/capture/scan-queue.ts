/** Scanning yields to the page after this long, so a page of 10,000 results makes no long task. */
const SLICE_MS = 8;
/** Visits between two readings of the clock, which cost about as much as a visit. */
const VISITS_PER_CHECK = 32;

/** A subtree to scan: a node still to be listed, or the elements listed in it. */
type Pending = Node | ArrayLike<Element>;

/**
 * Subtrees waiting to be scanned: `visit` is called for each of their elements in document
 * order, in slices between which the page gets the main thread back, so that neither a page of
 * 10,000 results nor the parser adding them makes a long task. `visit` returns false for an
 * element visited already or gone from the page: a subtree whose root it refuses is skipped.
 */
export function createScanQueue(visit: (element: Element) => boolean) {
  // A queue read from `head` on, not shifted: the parser adds thousands of subtrees one by one,
  // and shifting each out of a long array would make the scan quadratic.
  const pending: Pending[] = [];
  let head = 0;
  // How far the scan got in the elements of pending[head].
  let next = 0;
  let slice: ReturnType<typeof setTimeout> | undefined;

  const scan = () => {
    slice = undefined;
    const deadline = performance.now() + SLICE_MS;
    while (head < pending.length) {
      const subtree = pending[head] as Pending;
      if (subtree instanceof Node) {
        // Listed with the subtree itself visited first. None where it was scanned with an ancestor:
        // what was inside it then was scanned too, and what came in later has mutation records of its own.
        const fresh = subtree instanceof Element ? visit(subtree) : subtree.isConnected;
        // Kept as the static NodeList: copying tens of thousands of elements into an array would be one long step.
        pending[head] = fresh ? (subtree as ParentNode).querySelectorAll('*') : [];
        continue;
      }
      const end = Math.min(next + VISITS_PER_CHECK, subtree.length);
      while (next < end) visit(subtree[next++] as Element);
      if (next === subtree.length) {
        head += 1;
        next = 0;
      }
      if (performance.now() > deadline) {
        slice = setTimeout(scan);
        return;
      }
    }
    pending.length = 0;
    head = 0;
  };

  return {
    /** Scans `root` and its descendants in a later task. */
    add(root: Node) {
      pending.push(root);
      slice ??= setTimeout(scan);
    },
    /** Drops every subtree not scanned yet. */
    stop() {
      clearTimeout(slice);
      pending.length = 0;
      head = 0;
      next = 0;
    },
  };
}

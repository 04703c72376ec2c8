/** Scanning yields to the page after this long, so a page of 10,000 results makes no long task. */
const SLICE_MS = 8;
/** Visits between two readings of the clock, which cost about as much as a visit. */
const VISITS_PER_CHECK = 32;

type Visit = (node: Node) => void;

/**
 * Nodes waiting to be visited, each list with its `visit`, in the order they were added, in
 * slices between which the page gets the main thread back, so that neither a page of 10,000
 * results nor a script adding them makes a long task. A visit may add more.
 */
export function createScanQueue() {
  // A queue read from `head` on, not shifted: a script may add thousands of subtrees one by one,
  // and shifting each out of a long array would make the scan quadratic.
  const pending: [ArrayLike<Node>, Visit][] = [];
  let head = 0;
  // How far the scan got in the nodes of pending[head].
  let next = 0;
  let slice: ReturnType<typeof setTimeout> | undefined;

  const scan = () => {
    slice = undefined;
    const deadline = performance.now() + SLICE_MS;
    while (head < pending.length) {
      const [nodes, visit] = pending[head] as [ArrayLike<Node>, Visit];
      const end = Math.min(next + VISITS_PER_CHECK, nodes.length);
      while (next < end) visit(nodes[next++] as Node);
      if (next === nodes.length) {
        head += 1;
        next = 0;
      }
      if (performance.now() > deadline) {
        // A visit that added more has asked for this slice already: one timer at a time, the one stop() clears.
        slice ??= setTimeout(scan);
        return;
      }
    }
    pending.length = 0;
    head = 0;
  };

  return {
    /** Visits `nodes` in a later task. */
    add<N extends Node>(nodes: ArrayLike<N>, visit: (node: N) => void) {
      // Nothing to do for an empty list: a page adding results one by one makes many.
      // The list and its visit go together: each node is visited by the visit for its kind.
      if (nodes.length) pending.push([nodes, visit as Visit]);
      slice ??= setTimeout(scan);
    },
    /** Visits nothing more: the queue is not used again. */
    stop: () => clearTimeout(slice),
  };
}

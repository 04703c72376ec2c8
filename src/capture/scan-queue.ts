/** Scanning yields to the page after this long, so a page of 10,000 results makes no long task. */
const SLICE_MS = 8;
/** Visits between two readings of the clock, which cost about as much as a visit. */
const VISITS_PER_CHECK = 32;

type Visit = (element: Element) => void;

/**
 * Elements waiting to be visited, each list with its `visit`, in the order they were added, in
 * slices between which the page gets the main thread back, so that neither a page of 10,000
 * results nor a script adding them makes a long task.
 */
export function createScanQueue() {
  // A queue read from `head` on, not shifted: a script may add thousands of subtrees one by one,
  // and shifting each out of a long array would make the scan quadratic.
  const pending: [ArrayLike<Element>, Visit][] = [];
  let head = 0;
  // How far the scan got in the elements of pending[head].
  let next = 0;
  let slice: ReturnType<typeof setTimeout> | undefined;

  const scan = () => {
    slice = undefined;
    const deadline = performance.now() + SLICE_MS;
    while (head < pending.length) {
      const [elements, visit] = pending[head] as [ArrayLike<Element>, Visit];
      const end = Math.min(next + VISITS_PER_CHECK, elements.length);
      while (next < end) visit(elements[next++] as Element);
      if (next === elements.length) {
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
    /** Visits `elements` in a later task. */
    add(elements: ArrayLike<Element>, visit: Visit) {
      // Nothing to do for an empty list: a page adding results one by one makes many.
      if (elements.length) pending.push([elements, visit]);
      slice ??= setTimeout(scan);
    },
    /** Visits nothing more: the queue is not used again. */
    stop: () => clearTimeout(slice),
  };
}

/**
 * Maximum-cardinality matching in a bipartite graph (Kuhn's augmenting paths). Combinator subschemas
 * are small lists, so the O(V·E) algorithm is plenty; it pairs each old alternative with a distinct
 * compatible new one, which is how a reordered or extended oneOf/anyOf/allOf is recognised.
 *
 * `adjacency[i]` lists the right-hand vertices left vertex `i` may pair with, preferred ones first.
 * `initial` pairs start the matching (augmenting paths re-route them only when that matches more).
 * Returns `[left, right]` pairs in left order.
 */
export function maximumMatching(
  adjacency: readonly number[][],
  rightCount: number,
  initial: readonly [number, number][] = [],
): [number, number][] {
  const matchOfRight = new Array<number>(rightCount).fill(-1);
  const matched = new Set<number>();
  for (const [left, right] of initial) {
    matchOfRight[right] = left;
    matched.add(left);
  }

  const augment = (left: number, visited: boolean[]): boolean => {
    for (const right of adjacency[left]) {
      if (visited[right]) continue;
      visited[right] = true;
      if (matchOfRight[right] === -1 || augment(matchOfRight[right], visited)) {
        matchOfRight[right] = left;
        return true;
      }
    }
    return false;
  };

  for (let left = 0; left < adjacency.length; left++)
    if (!matched.has(left)) augment(left, new Array<boolean>(rightCount).fill(false));

  const pairs: [number, number][] = [];
  matchOfRight.forEach((left, right) => {
    if (left !== -1) pairs.push([left, right]);
  });
  return pairs.sort((x, y) => x[0] - y[0]);
}

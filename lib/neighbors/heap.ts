/**
 * A bounded max-heap of (distance, index) pairs over caller-owned typed arrays: keeps the k
 * smallest pairs seen, ordered lexicographically so ties go to the smaller index. This gives the
 * deterministic tie rule of the whole engine (ascending index), whatever the visiting order.
 */
export class TopK {
  readonly k: number;
  readonly d: Float64Array;
  readonly ix: Int32Array;
  size = 0;

  constructor(k: number) {
    this.k = k;
    this.d = new Float64Array(k);
    this.ix = new Int32Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  /** The current k-th best distance (Infinity until full): candidates above it cannot enter. */
  bound(): number {
    return this.size < this.k ? Infinity : this.d[0];
  }

  push(dist: number, index: number): void {
    const d = this.d, ix = this.ix;
    if (this.size < this.k) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (d[p] > dist || (d[p] === dist && ix[p] > index)) break;
        d[c] = d[p]; ix[c] = ix[p]; c = p;
      }
      d[c] = dist; ix[c] = index;
      return;
    }
    if (dist > d[0] || (dist === d[0] && index > ix[0])) return;
    // sift down from the root
    const n = this.size;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= n) break;
      let m = l;
      const r = l + 1;
      if (r < n && (d[r] > d[l] || (d[r] === d[l] && ix[r] > ix[l]))) m = r;
      if (d[m] < dist || (d[m] === dist && ix[m] < index)) break;
      d[c] = d[m]; ix[c] = ix[m]; c = m;
    }
    d[c] = dist; ix[c] = index;
  }

  /**
   * Writes the kept pairs in ascending (distance, index) order; returns how many. Heap sort in
   * place (pop the largest to the end): no comparator calls, O(k log k).
   */
  drainSorted(outD: Float64Array, outI: Int32Array, offset: number): number {
    const d = this.d, ix = this.ix;
    const total = this.size;
    let n = total;
    while (n > 0) {
      outD[offset + n - 1] = d[0];
      outI[offset + n - 1] = ix[0];
      n--;
      if (n === 0) break;
      const dist = d[n], index = ix[n];
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= n) break;
        let m = l;
        const r = l + 1;
        if (r < n && (d[r] > d[l] || (d[r] === d[l] && ix[r] > ix[l]))) m = r;
        if (d[m] < dist || (d[m] === dist && ix[m] < index)) break;
        d[c] = d[m]; ix[c] = ix[m]; c = m;
      }
      d[c] = dist; ix[c] = index;
    }
    this.size = 0;
    return total;
  }
}

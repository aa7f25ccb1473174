/**
 * Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):
 * units hold one value per coder (null when a coder gave none), values are category
 * numbers 0..k-1; `delta` is the metric's squared distance between two categories,
 * given the marginals. Units with fewer than two values are not pairable and drop out.
 * NaN when nothing is pairable or when all values are the same (no variation to agree on).
 */
function krippendorff(units: Array<Array<number | null>>, k: number, delta: (c: number, d: number, nc: number[]) => number): number {
  // Coincidence matrix o[c][d]: each ordered pair of values within a unit, weighted 1/(m_u - 1).
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const unit of units) {
    const vals = unit.filter((v): v is number => v !== null);
    const m = vals.length;
    if (m < 2) continue;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        o[vals[i]!]![vals[j]!]! += 1 / (m - 1);
      }
  }
  const nc = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = nc.reduce((a, b) => a + b, 0);
  if (n <= 1) return NaN;
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++)
    for (let d = 0; d < k; d++) {
      if (c === d) continue;
      const dd = delta(c, d, nc);
      observed += o[c]![d]! * dd;
      expected += nc[c]! * nc[d]! * dd;
    }
  if (expected === 0) return NaN;
  return 1 - ((n - 1) * observed) / expected;
}

/** Alpha for nominal data: any two different categories are equally far apart. */
export function krippendorffNominal(units: Array<Array<number | null>>, k: number): number {
  return krippendorff(units, k, () => 1);
}

/**
 * Alpha for ordinal data (Krippendorff 2004, "Content Analysis", ch. 11); here a unit
 * is typically a tag, with the gold grade and the tagger's grade as ranks 0..k-1.
 */
export function krippendorffOrdinal(units: Array<Array<number | null>>, k: number): number {
  // Ordinal distance: (sum of the marginals from c to d, less half of each end)^2.
  return krippendorff(units, k, (c, d, nc) => {
    const [lo, hi] = c <= d ? [c, d] : [d, c];
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g]!;
    s -= (nc[lo]! + nc[hi]!) / 2;
    return s * s;
  });
}

// Parity mappings for the clustering methods (DADApy name -> ours, outputs, comparators). See ../registry.ts.
import { decodeValue } from '../case';
import { registerAttributes, registerComparator, registerComplete, registerMethods, snakeToCamel, type StepContext } from '../registry';

registerComplete([
  'compute_clustering_ADP', 'compute_DecGraph', 'compute_clustering_DP',
]);

/**
 * The ADP step being replayed: DADApy numbers clusters by the order of their peaks in its own
 * candidate scan, ours by the same rule, but to stay robust we match clusters by their centres and
 * read our per-cluster outputs in DADApy's cluster order.
 */
let current: StepContext | null = null;

function camel(kw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) out[snakeToCamel(k)] = v;
  return out;
}

// The replay runs ADP with fallback: 'cython', our switch that reproduces DADApy's Cython
// fallback for removed candidate peaks (its off-by-one in the removal table, spec §7.5a), so that a
// case is compared with exactly what DADApy computed. Our default ('intended') differs from it
// only at the points that go through that fallback (none in the shipped cases; DADApy leaves some
// of them unassigned, the fixture marks those null): there every point gets the cluster of the
// point that removed its peak. test/clustering/adp.test.ts builds a case where the two differ.
registerMethods({
  compute_clustering_ADP: { args: (kw, ctx) => { current = ctx; return [{ ...camel(kw), fallback: 'cython' }]; } },
  compute_clustering_ADP_pure_python: { name: 'computeClusteringADPPurePython', args: (kw, ctx) => { current = ctx; return [camel(kw)]; } },
});

/** Our cluster index for each of DADApy's clusters (by centre), or null if the centres differ. */
function permutation(obj: { clusterCenters: Int32Array | null }): number[] | null {
  const stored = current?.step.attributes?.cluster_centers;
  if (!stored || !obj.clusterCenters) return null;
  const theirs = (decodeValue(stored) as ArrayLike<number>);
  const ours = Array.from(obj.clusterCenters);
  if (theirs.length !== ours.length) return null;
  const perm: number[] = [];
  for (let k = 0; k < theirs.length; k++) {
    const p = ours.indexOf(Number(theirs[k]));
    if (p < 0) return null;
    perm.push(p);
  }
  return perm;
}

/** Points the fixture marks as DADApy's undefined labels (§7.5a): not in any DADApy member list. */
function undefinedPoints(): Set<number> {
  const s = new Set<number>();
  const step = current?.step as unknown as Record<string, unknown> | undefined;
  for (const key of ['undefined_assignment_indices']) {
    const v = step?.[key] as unknown;
    const arr = v && typeof v === 'object' && 'value' in (v as object) ? decodeValue(v as never) : v;
    if (Array.isArray(arr)) for (const x of arr.flat(Infinity as 1)) s.add(Number(x));
  }
  const labels = current?.step.returned?.cluster_assignment;
  if (labels) {
    const vals = decodeValue(labels) as ArrayLike<number | null>;
    for (let i = 0; i < vals.length; i++) if (vals[i] === null) s.add(i);
  }
  return s;
}

function permuteMatrix(m: number[][] | null, perm: number[] | null): number[][] | null {
  if (!m) return m;
  if (!perm) return m;
  return perm.map((i) => perm.map((j) => m[i][j]));
}

registerAttributes({
  N_clusters: 'nClusters',
  cluster_centers: (obj) => { const p = permutation(obj); return p && obj.clusterCenters ? p.map((i) => obj.clusterCenters[i]) : obj.clusterCenters; },
  cluster_indices: (obj) => {
    if (!obj.clusterIndices) return undefined;
    const p = permutation(obj) ?? obj.clusterIndices.map((_: unknown, i: number) => i);
    const skip = undefinedPoints();
    return p.map((i: number) => Array.from(obj.clusterIndices[i] as Int32Array).filter((x) => !skip.has(x)));
  },
  log_den_bord: (obj) => permuteMatrix(obj.logDenBord, permutation(obj)),
  log_den_bord_err: (obj) => permuteMatrix(obj.logDenBordErr, permutation(obj)),
  bord_indices: (obj) => permuteMatrix(obj.bordIndices, permutation(obj)),
});

const CLUSTERING = new Set(['compute_clustering_ADP', 'compute_clustering_ADP_pure_python', 'compute_clustering_DP', 'compute_DecGraph']);

registerComparator((output, ctx) => {
  if (!ctx.step.method || !CLUSTERING.has(ctx.step.method)) return undefined;
  switch (output) {
    case 'cluster_assignment': return { kind: 'labels' };
    case 'cluster_centers': case 'centers': return { kind: 'exact' };
    case 'cluster_indices': case 'bord_indices': case 'N_clusters': case 'ref': return { kind: 'exact' };
    // saddle densities are PAk densities shifted by ldMin: same tolerance as the densities they come from
    case 'log_den_bord': case 'log_den_bord_err': case 'delta': return { kind: 'numeric', rtol: 1e-8 };
    default: return undefined;
  }
});

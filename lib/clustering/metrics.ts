import { checkOptionKeys, optionKeys } from '../options';
import { InputError } from '../errors';
import { lgamma } from '../stats/special';

/** The contingency table of two labelings (any integers; −1 is a label like the others unless dropped). */
export interface Contingency {
  readonly n: number;
  /** Row (true class) and column (cluster) sizes. */
  readonly a: number[];
  readonly b: number[];
  /** Non-zero cells: class row, cluster column, count. */
  readonly cells: [number, number, number][];
}

export interface ScoreOptions {
  /** Drop the points whose predicted label is this value (e.g. −1 for ADP's halo) before scoring. */
  ignorePredicted?: number;
  /** Drop the points whose true label is this value (e.g. −1 for noise in a ground truth). */
  ignoreTrue?: number;
}
const SCORE_KEYS = optionKeys<ScoreOptions>({ ignorePredicted: 1, ignoreTrue: 1 });

export function contingency(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, opts: ScoreOptions = {}): Contingency {
  checkOptionKeys(opts, SCORE_KEYS, 'the clustering score');
  if (labelsTrue.length !== labelsPred.length) {
    throw new InputError(`The two labelings have different lengths (${labelsTrue.length} and ${labelsPred.length})`, 'Pass one label per point in both');
  }
  const rowOf = new Map<number, number>(), colOf = new Map<number, number>();
  const a: number[] = [], b: number[] = [];
  const cell = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < labelsTrue.length; i++) {
    const t = labelsTrue[i], p = labelsPred[i];
    if (!Number.isFinite(t) || !Number.isFinite(p)) {
      throw new InputError(`Label of point ${i} is not a number (${t}, ${p})`, 'Pass integer labels');
    }
    if (opts.ignorePredicted !== undefined && p === opts.ignorePredicted) continue;
    if (opts.ignoreTrue !== undefined && t === opts.ignoreTrue) continue;
    let r = rowOf.get(t);
    if (r === undefined) { r = a.length; rowOf.set(t, r); a.push(0); }
    let c = colOf.get(p);
    if (c === undefined) { c = b.length; colOf.set(p, c); b.push(0); }
    a[r]++; b[c]++; n++;
    const key = r * 1048576 + c;
    cell.set(key, (cell.get(key) ?? 0) + 1);
  }
  const cells: [number, number, number][] = [];
  for (const [k, v] of cell) cells.push([Math.floor(k / 1048576), k % 1048576, v]);
  return { n, a, b, cells };
}

const comb2 = (x: number): number => (x * (x - 1)) / 2;

/** Adjusted Rand index (Hubert & Arabie 1985), as sklearn's adjusted_rand_score. */
export function adjustedRandIndex(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, opts: ScoreOptions = {}): number {
  const t = contingency(labelsTrue, labelsPred, opts);
  const { n, a, b } = t;
  if (n === 0) return 1;
  if ((a.length === 1 && b.length === 1) || (a.length === n && b.length === n) || n === 1) return 1;
  let sumComb = 0;
  for (const [, , v] of t.cells) sumComb += comb2(v);
  let sa = 0, sb = 0;
  for (const x of a) sa += comb2(x);
  for (const x of b) sb += comb2(x);
  const expected = (sa * sb) / comb2(n);
  const max = (sa + sb) / 2;
  return (sumComb - expected) / (max - expected);
}

function entropyOf(sizes: number[], n: number): number {
  let h = 0;
  for (const s of sizes) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

/** Mutual information (nats) of the two labelings. */
export function mutualInformation(t: Contingency): number {
  let mi = 0;
  const { n, a, b } = t;
  for (const [r, c, v] of t.cells) mi += (v / n) * (Math.log(v) + Math.log(n) - Math.log(a[r]) - Math.log(b[c]));
  return Math.max(mi, 0);
}

/** Expected mutual information under the hypergeometric model of random labelings (Vinh et al. 2010). */
export function expectedMutualInformation(t: Contingency): number {
  const { n, a, b } = t;
  const lgN = lgamma(n + 1);
  let emi = 0;
  for (const ai of a) {
    for (const bj of b) {
      const start = Math.max(1, ai + bj - n), end = Math.min(ai, bj);
      const base = lgamma(ai + 1) + lgamma(bj + 1) + lgamma(n - ai + 1) + lgamma(n - bj + 1) - lgN;
      for (let nij = start; nij <= end; nij++) {
        const term = (nij / n) * (Math.log(n * nij) - Math.log(ai * bj));
        const lp = base - lgamma(nij + 1) - lgamma(ai - nij + 1) - lgamma(bj - nij + 1) - lgamma(n - ai - bj + nij + 1);
        emi += term * Math.exp(lp);
      }
    }
  }
  return emi;
}

/** Normalised mutual information, arithmetic mean of the entropies (sklearn's default). */
export function normalizedMutualInformation(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, opts: ScoreOptions = {}): number {
  const t = contingency(labelsTrue, labelsPred, opts);
  if ((t.a.length === 1 && t.b.length === 1) || t.n === 0) return 1;
  const mi = mutualInformation(t);
  const ha = entropyOf(t.a, t.n), hb = entropyOf(t.b, t.n);
  const norm = (ha + hb) / 2;
  return norm > 0 ? mi / norm : 0;
}

/** Adjusted mutual information (arithmetic normalisation, as sklearn's adjusted_mutual_info_score). */
export function adjustedMutualInformation(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, opts: ScoreOptions = {}): number {
  const t = contingency(labelsTrue, labelsPred, opts);
  if ((t.a.length === 1 && t.b.length === 1) || (t.a.length === 0 && t.b.length === 0)) return 1;
  const mi = mutualInformation(t);
  const emi = expectedMutualInformation(t);
  const norm = (entropyOf(t.a, t.n) + entropyOf(t.b, t.n)) / 2;
  let den = norm - emi;
  const eps = 2.220446049250313e-16;
  den = den < 0 ? Math.min(den, -eps) : Math.max(den, eps);
  return (mi - emi) / den;
}

/** Homogeneity: each cluster holds members of a single class (MI / H(classes)). */
export function homogeneity(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, opts: ScoreOptions = {}): number {
  const t = contingency(labelsTrue, labelsPred, opts);
  const h = entropyOf(t.a, t.n);
  return h === 0 ? 1 : mutualInformation(t) / h;
}

/** Completeness: all members of a class are in the same cluster (MI / H(clusters)). */
export function completeness(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, opts: ScoreOptions = {}): number {
  const t = contingency(labelsTrue, labelsPred, opts);
  const h = entropyOf(t.b, t.n);
  return h === 0 ? 1 : mutualInformation(t) / h;
}

/** Fraction of points not in the halo (label ≠ haloLabel, −1 by default). */
export function coreFraction(labels: ArrayLike<number>, haloLabel = -1): number {
  if (labels.length === 0) return 0;
  let k = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== haloLabel) k++;
  return k / labels.length;
}

export interface ClusterScores {
  readonly ari: number;
  readonly ami: number;
  readonly nmi: number;
  readonly homogeneity: number;
  readonly completeness: number;
  readonly coreFraction: number;
  summary(): string;
}

/** All the cluster-quality measures of a clustering against reference labels. */
export function clusterScores(labelsTrue: ArrayLike<number>, labelsPred: ArrayLike<number>, opts: ScoreOptions = {}): ClusterScores {
  const s = {
    ari: adjustedRandIndex(labelsTrue, labelsPred, opts),
    ami: adjustedMutualInformation(labelsTrue, labelsPred, opts),
    nmi: normalizedMutualInformation(labelsTrue, labelsPred, opts),
    homogeneity: homogeneity(labelsTrue, labelsPred, opts),
    completeness: completeness(labelsTrue, labelsPred, opts),
    coreFraction: coreFraction(labelsPred),
  };
  return Object.freeze({
    ...s,
    summary: () => `ARI ${s.ari.toFixed(3)}, AMI ${s.ami.toFixed(3)}, NMI ${s.nmi.toFixed(3)}, homogeneity ${s.homogeneity.toFixed(3)}, completeness ${s.completeness.toFixed(3)}${s.coreFraction < 1 ? `, core ${(100 * s.coreFraction).toFixed(1)}%` : ''}`,
  });
}

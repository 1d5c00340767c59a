/**
 * Axis helpers shared by the chart builders. Log axes: vega's "nice" log domain runs to the next
 * powers of ten (a Gride curve over radii 0.03-0.35 was drawn from 0.01 to 1), and its default ticks
 * (every 1..9 x 10^k) collide as text ("0.040.05"). Here the domain is the data's, padded a little,
 * and the ticks are 1-2-5 steps (powers of ten alone over wide ranges), so the labels stay apart.
 */

/** The tick values of a log axis over [lo, hi]: 1-2-5 steps, or powers of ten over more than 3 decades. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi >= lo)) return [];
  const decades = Math.log10(hi / lo);
  const steps = decades > 3 ? [1] : decades > 1.2 ? [1, 2, 5] : [1, 2, 3, 5, 7];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const s of steps) {
      const v = Number((s * 10 ** e).toPrecision(6));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  // a narrow range (radii 0.041-0.058) holds one or two of those: evenly spaced round values instead
  return ticks.length >= 3 ? ticks : linearTicks(lo, hi);
}

/** 3 to 6 round values (1, 2 or 5 x 10^k apart) inside [lo, hi]. */
export function linearTicks(lo: number, hi: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  let step = 10 ** Math.floor(Math.log10(span));
  for (const m of [0.1, 0.2, 0.5, 1]) {
    if (span / (step * m) <= 6) { step *= m; break; }
  }
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi * (1 + 1e-12); v += step) out.push(Number(v.toPrecision(6)));
  return out;
}

/**
 * The scale and axis of a log x (or y) encoding fitted to the values: the domain is their range
 * widened by `pad` (a factor) on each side, not rounded to powers of ten.
 */
export function logEncoding(values: ArrayLike<number>, pad = 1.12): { scale: Record<string, unknown>; axis: Record<string, unknown> } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  if (!Number.isFinite(lo)) return { scale: { type: 'log' }, axis: {} };
  const dLo = lo / pad, dHi = hi * pad;
  let ticks = logTicks(dLo, dHi);
  if (ticks.length < 2) ticks = [Number(lo.toPrecision(2)), Number(hi.toPrecision(2))].filter((v, i, a) => a.indexOf(v) === i);
  return {
    scale: { type: 'log', domain: [Number(dLo.toPrecision(4)), Number(dHi.toPrecision(4))], nice: false },
    axis: { values: ticks, format: '~g', labelOverlap: 'greedy', labelSeparation: 4 },
  };
}

/** Shortens a label to `max` characters with an ellipsis (the full text belongs in the tooltip). */
export function shortLabel(s: string, max = 24): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Text width in pixels as vega estimates it for a sans-serif font (about 0.56 em per character). */
export function textWidth(s: string, fontSize: number): number {
  // an ellipsis is a whole em wide in Arial/Arimo
  return s.length * fontSize * 0.56 + (s.endsWith('…') ? 0.44 * fontSize : 0);
}

export interface PlacedLabel {
  /** Label centre in data coordinates. */
  x: number;
  y: number;
  /** True when the label sits away from its point (draw a leader line). */
  leader: boolean;
  /** False when no spot was free: the label would overlap another, a point or an obstacle, or leave the plot (leave it out). */
  fits: boolean;
}

interface Box { x0: number; x1: number; y0: number; y1: number }

/**
 * Places one text label per point so that labels overlap neither each other, nor the points, nor
 * the given obstacles (boxes in pixels), inside a plot of `width` x `height` pixels over the given
 * linear domains: candidates around the point at growing distances, first fit wins; a label with
 * no free spot is marked as not fitting (`fits: false`) and takes no room. Deterministic, greedy,
 * in point order.
 */
export function placeLabels(points: Array<{ x: number; y: number; label: string }>, opts: {
  width: number; height: number; xDomain: [number, number]; yDomain: [number, number]; fontSize?: number; obstacles?: Box[];
  /** The farthest a label may sit from its point, in pixels (default 120). */
  maxDistance?: number;
}): PlacedLabel[] {
  const fs = opts.fontSize ?? 10;
  const [x0, x1] = opts.xDomain, [y0, y1] = opts.yDomain;
  const px = (x: number) => ((x - x0) / (x1 - x0)) * opts.width;
  const py = (y: number) => opts.height - ((y - y0) / (y1 - y0)) * opts.height;
  const ux = (p: number) => x0 + (p / opts.width) * (x1 - x0);
  const uy = (p: number) => y0 + ((opts.height - p) / opts.height) * (y1 - y0);
  const taken: Box[] = [...(opts.obstacles ?? [])];
  for (const p of points) taken.push({ x0: px(p.x) - 4, x1: px(p.x) + 4, y0: py(p.y) - 4, y1: py(p.y) + 4 });
  const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) * Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const out: PlacedLabel[] = [];
  for (const p of points) {
    const w = textWidth(p.label, fs) + 2, h = fs + 2;
    const cx = px(p.x), cy = py(p.y);
    let best: { box: Box; cost: number; leader: boolean } | null = null;
    for (const dist of [6, 16, 28, 42, 58, 76, 96, 120].filter((d) => d <= (opts.maxDistance ?? 120))) {
      // right and left of the point first (the way labels are read), then 16 directions around it
      const candidates: Array<[number, number]> = [[dist + w / 2, 0], [-(dist + w / 2), 0]];
      for (let a = 0; a < 16; a++) {
        const t = (a * Math.PI) / 8;
        candidates.push([Math.cos(t) * (dist + w / 2), Math.sin(t) * (dist + h / 2)]);
      }
      for (const [dx, dy] of candidates) {
        const box = { x0: cx + dx - w / 2, x1: cx + dx + w / 2, y0: cy + dy - h / 2, y1: cy + dy + h / 2 };
        const outside = Math.max(0, -box.x0) + Math.max(0, box.x1 - opts.width) + Math.max(0, -box.y0) + Math.max(0, box.y1 - opts.height);
        let cost = outside * h * 10;
        for (const t of taken) cost += overlap(box, t);
        cost += dist * 0.01; // prefer near spots among equals
        if (!best || cost < best.cost) best = { box, cost, leader: dist > 6 };
      }
      if (best && best.cost < 1) break;
    }
    const fits = best!.cost < 1;
    // a label that does not fit takes no room: the ones placed after it may use its spot
    if (fits) taken.push(best!.box);
    out.push({ x: ux((best!.box.x0 + best!.box.x1) / 2), y: uy((best!.box.y0 + best!.box.y1) / 2), leader: best!.leader, fits });
  }
  return out;
}

/**
 * Names as an axis shows them: the part that tells them apart. Layer names such as
 * "model.encoder.layers.7.output" share a prefix and a suffix, and an axis that cuts labels at a
 * fixed width shows the same "model.encoder.layers…" under every tick. The common prefix and suffix
 * (cut at a separator: . / _ - : or space) are dropped and returned for the axis title, as
 * "model.encoder.layers.*.output". Names shorter than that, or with nothing in common, stay as they are.
 */
export function distinctiveNames(names: readonly string[]): { labels: string[]; pattern: string | null } {
  const cut = commonAffixes(names);
  if (!cut) return { labels: [...names], pattern: null };
  return { labels: names.map((n) => n.slice(cut.prefix, n.length - cut.suffix)), pattern: cut.pattern };
}

/**
 * The common prefix and suffix of names (cut at a separator), as distinctiveNames drops them, or
 * null when fewer than 4 characters are common or dropping them would make two names equal or one empty.
 */
export function commonAffixes(names: readonly string[]): { prefix: number; suffix: number; pattern: string } | null {
  if (names.length < 2) return null;
  const SEP = /[./_\-: ]/;
  let pre = names[0].length;
  for (const n of names) {
    let i = 0;
    while (i < pre && i < n.length && n[i] === names[0][i]) i++;
    pre = i;
  }
  while (pre > 0 && !SEP.test(names[0][pre - 1])) pre--;
  let suf = names[0].length - pre;
  for (const n of names) {
    let i = 0;
    while (i < suf && i < n.length - pre && n[n.length - 1 - i] === names[0][names[0].length - 1 - i]) i++;
    suf = i;
  }
  while (suf > 0 && !SEP.test(names[0][names[0].length - suf])) suf--;
  if (pre + suf < 4) return null;
  const labels = names.map((n) => n.slice(pre, n.length - suf));
  if (labels.some((l) => l === '') || new Set(labels).size !== new Set(names).size) return null;
  return { prefix: pre, suffix: suf, pattern: `${names[0].slice(0, pre)}*${names[0].slice(names[0].length - suf)}` };
}

/**
 * An ordinal axis of names (layers): the ticks show the part that tells the names apart (a vega
 * label expression, so the data, the sort and the tooltips keep the full names) and the title the
 * common part; labels turn when they do not fit side by side, and labels that would still overlap
 * are dropped. `px` is the axis length in pixels.
 */
export function nameAxis(names: readonly string[], px: number, title: string | null = 'layer'): { title: string | null; axis: Record<string, unknown> } {
  const cut = commonAffixes([...new Set(names)]);
  const shown = cut ? names.map((n) => n.slice(cut.prefix, n.length - cut.suffix)) : [...names];
  const fontSize = names.length > 40 ? 9 : 11;
  const longest = shown.reduce((m, n) => Math.max(m, textWidth(n, fontSize)), 0);
  const slot = px / Math.max(1, names.length);
  const angle = longest <= 0.9 * slot ? 0 : names.length > 24 || fontSize + 2 > 0.9 * slot * 2 ? -90 : -60;
  const axis: Record<string, unknown> = { labelAngle: angle, labelOverlap: 'greedy', labelSeparation: 2, labelLimit: 140, labelFontSize: fontSize };
  if (angle === -90) Object.assign(axis, { labelAlign: 'right', labelBaseline: 'middle' });
  if (cut) axis.labelExpr = `substring(datum.label, ${cut.prefix}, length(datum.label) - ${cut.suffix})`;
  return { title: cut && title ? `${title} (${cut.pattern})` : title, axis };
}

"""The baseline side of bench/workflows.mjs: what DADApy runs for each workflow, in Debian's
python3-sklearn + numpy + scipy (DADApy itself is not installable here: no PyPI). DADApy's
neighbour search IS sklearn's NearestNeighbors(...).kneighbors (compute_distances), its Gride from
coordinates is pairwise_distances_chunked + argpartition + a bisection per scale, its information
imbalance is two neighbour tables per subset and the ranks, its data overlap two k = 30 tables.
So these steps are timed live; PAk and ADP are Cython inside DADApy (no sklearn equivalent): the
bench prints DADApy's recorded figures for those.

A server: reads one JSON request a line on stdin, answers one JSON line on stdout:
  {"op": "load", "name": "A", "path": "x.npy"}               -> {"ok": true}
  {"op": "table", "x": "A", "k": 100, "algorithm": "brute"}   -> {"s": seconds, "meanK": mean k-th distance}
  {"op": "gride", "x": "A", "range_max": 1024}               -> {"s": ..., "ids": [...]}
  {"op": "imbalance", "x": "A", "y": "B", "subset": 2000}     -> {"s": ..., "imb": [a_to_b, b_to_a]}
  {"op": "overlap", "x": "A", "y": "B", "k": 30}              -> {"s": ..., "overlap": mean}
  {"op": "peak"}                                              -> sgemm / dgemm GFLOP/s on 2 threads
Threads: n_jobs = 2 (the machine's cores), as DADApy's default n_jobs = cpu_count."""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.metrics import pairwise_distances_chunked
from sklearn.neighbors import NearestNeighbors

ARRAYS = {}
JOBS = 2


def knn(X, k, algorithm="auto"):
    """DADApy's compute_nn_distances: kneighbors of X against itself with k + 1 columns."""
    return NearestNeighbors(n_neighbors=k + 1, algorithm=algorithm, n_jobs=JOBS).fit(X).kneighbors(X)


def gride_bisection(mus, n1, n2, d0=0.001, d1=1000.0, eps=1e-7):
    """DADApy's _argmax_loglik on the filtered mus (vectorised over points, 34 halvings)."""
    mus = mus.copy()
    mus[mus == 1] += 10 * np.finfo(np.float64).eps
    q95, q50 = np.percentile(mus, [95, 50])
    mus = mus[mus < 20 * (q95 - q50) + q50]
    lm = np.log(mus)
    m = len(mus)

    def g(d):
        t = np.maximum(1 - mus ** (-d), 2 * eps)
        return np.sum(((1 - n2 + n1) / t + n2 - 1) * lm) - (m - 1) / d

    l1 = g(d1)
    while abs(d0 - d1) > eps:
        d2 = (d0 + d1) / 2
        if g(d2) * l1 > 0:
            d1 = d2
        else:
            d0 = d2
    return (d0 + d1) / 2


def gride(X, range_max):
    """DADApy's return_id_scaling_gride from coordinates: chunked squared distances, argpartition at
    the largest rank, sort, sqrt, then one bisection per scale."""
    n = X.shape[0]
    max_rank = min(n, range_max)
    steps = int(np.log2(max_rank))
    top = 2 ** steps
    ranks = [2 ** i for i in range(steps + 1)]
    rs = []
    for chunk in pairwise_distances_chunked(X, n_jobs=JOBS, working_memory=1024, metric="euclidean", squared=True):
        part = np.argpartition(chunk, top, axis=1)[:, :top + 1]
        d = np.take_along_axis(chunk, part, axis=1)
        d.sort(axis=1)
        d = np.sqrt(d)
        d[:, 1:][d[:, 1:] < np.finfo(np.float64).eps] = np.finfo(np.float64).eps
        rs.append(d[:, ranks])
    r = np.concatenate(rs)
    return [gride_bisection(r[:, i + 1] / r[:, i], 2 ** i, 2 ** (i + 1)) for i in range(steps)]


def ranks_of(ia, ib, n):
    """Conditional ranks: the column of A's nearest neighbour in B's complete table."""
    pos = np.empty_like(ib)
    rows = np.arange(ib.shape[0])[:, None]
    pos[rows, ib] = np.arange(ib.shape[1])[None, :]
    return pos[np.arange(ia.shape[0]), ia[:, 1]]


def imbalance(X, Y, subset):
    """DADApy's return_information_imbalace with subsets: per subset, complete tables of both spaces
    (maxk = subset - 1) and the ranks both ways (k = 1). Subsets are contiguous pieces here (the
    work does not depend on which points)."""
    n = X.shape[0]
    repeats = max(1, n // subset)
    out = []
    for piece in np.array_split(np.arange(n), repeats):
        a, b = X[piece], Y[piece]
        m = len(piece)
        _, ia = knn(a, m - 1)
        _, ib = knn(b, m - 1)
        out.append([ranks_of(ia, ib, m).mean() / (m / 2), ranks_of(ib, ia, m).mean() / (m / 2)])
    return np.mean(out, axis=0).tolist()


def overlap(X, Y, k):
    """DADApy's return_data_overlap on a fresh object: both k tables, then |A_i ∩ B_i| / k."""
    _, ia = knn(X, k)
    _, ib = knn(Y, k)
    ia, ib = ia[:, 1:], ib[:, 1:]
    hits = (ia[:, :, None] == ib[:, None, :]).any(axis=2).sum(axis=1)
    return float(np.mean(hits / k))


def peak():
    """GEMM GFLOP/s of numpy's BLAS on JOBS threads (the BLAS sklearn's brute force calls)."""
    out = {}
    for name, dt in (("sgemm", np.float32), ("dgemm", np.float64)):
        a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(dt)
        a @ a
        best = 0
        for _ in range(3):
            t0 = time.perf_counter()
            a @ a
            best = max(best, 2 * 2048 ** 3 / (time.perf_counter() - t0) / 1e9)
        out[name] = best
    return out


def main():
    for line in sys.stdin:
        req = json.loads(line)
        op = req["op"]
        try:
            if op == "load":
                ARRAYS[req["name"]] = np.load(req["path"])
                print(json.dumps({"ok": True, "sklearn": sklearn.__version__, "numpy": np.__version__}), flush=True)
                continue
            if op == "peak":
                print(json.dumps(peak()), flush=True)
                continue
            X = ARRAYS[req["x"]]
            t0 = time.perf_counter()
            if op == "table":
                d, _ = knn(X, req["k"], req.get("algorithm", "auto"))
                res = {"meanK": float(d[:, -1].mean())}
            elif op == "gride":
                res = {"ids": gride(X, req["range_max"])}
            elif op == "imbalance":
                res = {"imb": imbalance(X, ARRAYS[req["y"]], req["subset"])}
            elif op == "overlap":
                res = {"overlap": overlap(X, ARRAYS[req["y"]], req["k"])}
            else:
                raise ValueError(f"unknown op {op}")
            res["s"] = time.perf_counter() - t0
            print(json.dumps(res), flush=True)
        except Exception as e:  # the bench prints the reason and goes on
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", str(JOBS))
    main()

"""The per-layer steps of bench/layers.mjs in a Python pipeline (Debian's python3-sklearn + numpy +
scipy): sklearn's brute-force kNN table (maxk = 100, n_jobs = 2), 2NN, the Gride scale curve to rank
64 (scipy's bounded minimiser on the Gride likelihood), the label overlap and the next-layer overlap
at k = 30, and the exact information imbalance (k = 1) with the first and the last layer in both
directions from complete distance matrices (sklearn's pairwise_distances, BLAS). No PAk / ADP:
sklearn has no density-peak clustering. Prints one JSON line: wall seconds, peak RSS, the IDs.
Usage: python3 layers_baseline.py <folder of layer_XX.npy + labels.npy>"""
import glob
import json
import os
import sys
import time

import numpy as np
import sklearn
from scipy.optimize import minimize_scalar
from scipy.special import betaln
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors


def two_nn(dist, fraction=0.9):
    mus = np.sort(dist[:, 2] / dist[:, 1])
    n = len(mus)
    m = int(n * fraction)
    x = np.log(mus[:m])
    y = -np.log(1 - np.arange(1, n + 1)[:m] / n)
    return float(np.dot(x, y) / np.dot(x, x))


def gride(dist, n1, n2):
    mus = dist[:, n2] / dist[:, n1]
    lm = np.log(mus)

    def nll(d):
        return -np.sum(np.log(d) + (n2 - n1 - 1) * np.log(np.expm1(d * lm)) - ((n2 - 1) * d + 1) * lm - betaln(n2 - n1, n1))

    return float(minimize_scalar(nll, bounds=(1e-3, 1e3), method="bounded").x)


def main(folder):
    files = sorted(glob.glob(os.path.join(folder, "layer_*.npy")))
    labels = np.load(os.path.join(folder, "labels.npy"))
    t0 = time.perf_counter()
    n = len(labels)
    k = 30
    first = np.asarray(np.load(files[0], mmap_mode="r"))
    last = np.asarray(np.load(files[-1], mmap_mode="r"))
    d_first = pairwise_distances(first, n_jobs=2)
    d_last = pairwise_distances(last, n_jobs=2)
    rows = np.arange(n)
    nn_first = np.argsort(d_first + np.diag(np.full(n, np.inf)), axis=1)[:, 0]
    nn_last = np.argsort(d_last + np.diag(np.full(n, np.inf)), axis=1)[:, 0]
    ids, prev = [], None
    for f in files:
        X = np.asarray(np.load(f, mmap_mode="r"))
        dist, ind = NearestNeighbors(n_neighbors=101, algorithm="brute", n_jobs=2).fit(X).kneighbors(X)
        two_nn(dist)
        ids.append([gride(dist, r // 2, r) for r in (2, 4, 8, 16, 32, 64)][3])
        float(np.mean(labels[ind[:, 1:k + 1]] == labels[:, None]))
        if prev is not None:
            float(np.mean([len(np.intersect1d(a, b)) / k for a, b in zip(prev, ind[:, 1:k + 1])]))
        prev = ind[:, 1:k + 1]
        d_l = pairwise_distances(X, n_jobs=2)
        nn_l = ind[:, 1]
        for d_ref, nn_ref in ((d_first, nn_first), (d_last, nn_last)):
            r_in_l = (d_l < d_l[rows, nn_ref][:, None]).sum(1)  # self (0) counted: rank = 1 + closer others
            r_in_ref = (d_ref < d_ref[rows, nn_l][:, None]).sum(1)
            2 * r_in_l.mean() / n, 2 * r_in_ref.mean() / n
    wall = time.perf_counter() - t0
    print(json.dumps({"wall": wall, "maxRssMiB": peak_rss_mib(),
                      "ids": ids, "sklearn": sklearn.__version__}))


def peak_rss_mib():
    """VmHWM, not ru_maxrss: Linux carries the parent's RSS at fork into a child's ru_maxrss."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    main(sys.argv[1])

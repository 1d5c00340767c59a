// Writes notebooks/data/moebius.arrow: 2000 points of the Moebius benchmark (Fig1 wrapped on a
// Moebius strip, data/Fig1_mobius.dat.gz) with their ground-truth clusters (data/gt_F1.txt.gz),
// as one FixedSizeList<Float64>[3] column 'X' and a 'label' column. Run: node notebooks/make-data.js
const path = require('node:path');
const { loadData, loadLabels, saveArrow, Matrix } = require('../dist/lib/index.js');
const root = path.join(__dirname, '..');
const { X } = loadData(path.join(root, 'data/Fig1_mobius.dat.gz'));
const labels = loadLabels(path.join(root, 'data/gt_F1.txt.gz'));
const n = 2000, step = X.rows / n;
const rows = [], lab = new Int32Array(n);
for (let i = 0; i < n; i++) {
  const r = Math.floor(i * step);
  rows.push(Array.from({ length: X.cols }, (_, j) => X.data[r * X.cols + j]));
  lab[i] = labels[r];
}
const bytes = saveArrow(path.join(__dirname, 'data/moebius.arrow'), Matrix.fromRows(rows), { labels: lab });
console.log(`wrote notebooks/data/moebius.arrow: ${n} x ${X.cols}, ${bytes} bytes`);

// Merged by @jupyterlab/builder into its labextension config (package.json `jupyterlab.webpackConfig`).
const TerserPlugin = require('terser-webpack-plugin');

module.exports = {
  // webpack 5.113 turns its built-in TypeScript support on by default ("auto"), which resolves
  // vega-lite's package `exports` to its .d.ts files; the sources here are JavaScript already
  // (esbuild stripped the types), so it stays off.
  experiments: { typescript: false },
  // esbuild's minifier instead of terser's: the same bundle, in 5 s instead of 30 s (vega is 900 KB)
  // the vega chunk (900 KB) is over webpack's 244 KB hint; it loads only when a chart is shown
  performance: { hints: false },
  optimization: { minimizer: [new TerserPlugin({ minify: TerserPlugin.esbuildMinify, terserOptions: { target: 'es2020' } })] },
};

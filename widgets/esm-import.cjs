// A real CommonJS file whose import() is Node's own: render.ts falls back to it where code built
// with `new Function` has no dynamic-import callback (e.g. under vitest's module runner).
module.exports = (specifier) => import(specifier);

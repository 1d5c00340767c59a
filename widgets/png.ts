/**
 * PNG rendering of charts in Node: vega draws the SVG, resvg (the Rust SVG renderer, @resvg/resvg-js,
 * a prebuilt binary from the npm registry) rasterises it. The PNG is what every viewer that does
 * not run vega shows: the classic Notebook with an untrusted notebook (it ignores untrusted SVG),
 * `jupyter nbconvert --to html` with the default template (Debian's nbconvert 6.5 blanks inline
 * SVG) and sanitising renderers such as code-hosting sites (no scripts, no inline SVG).
 *
 * The truecolour PNG is then reduced to a 256-colour palette by sharp (libvips with libimagequant,
 * prebuilt in @img/sharp-*): about 3.5 times fewer bytes, no difference a reader can see (checked on
 * the shipped notebooks' charts), so a notebook with charts stays small enough for git.
 *
 * Text is drawn with the Arimo font shipped in @expo-google-fonts/arimo (metric-compatible with
 * Arial/Helvetica, which vega's text-width estimates assume), never with the machine's fonts: the
 * same chart gives the same PNG bytes on every machine, so executed notebooks stay reproducible,
 * and a server with no fonts installed still draws the labels.
 */
import { fontFiles } from './fonts';

/** Pixels per CSS pixel: 2 keeps text sharp on high-density screens (the display size is in the metadata). */
export const PNG_SCALE = 2;

let renderer: { Resvg: any; fonts: string[] } | null = null;

function resvg(): { Resvg: any; fonts: string[] } {
  renderer ??= { Resvg: require('@resvg/resvg-js').Resvg, fonts: fontFiles() };
  return renderer;
}

export interface Png {
  /** The PNG file's bytes. */
  bytes: Buffer;
  /** Display size in CSS pixels (the image has PNG_SCALE times as many pixels). */
  width: number;
  height: number;
}

/**
 * A chart's PNG: the SVG rasterised (white background) and reduced to a palette. Deterministic:
 * the same SVG gives the same bytes.
 */
export async function chartPng(svg: string, scale = PNG_SCALE): Promise<Png> {
  const png = svgToPng(svg, scale);
  const sharp = require('sharp');
  const bytes: Buffer = await sharp(png.bytes).png({ palette: true, quality: 90, compressionLevel: 9, effort: 10 }).toBuffer();
  return { ...png, bytes };
}

/** Rasterises an SVG (as vega writes it) on a white background, in truecolour. */
export function svgToPng(svg: string, scale = PNG_SCALE): Png {
  const { Resvg, fonts } = resvg();
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: false, fontFiles: fonts, defaultFontFamily: 'Arimo', sansSerifFamily: 'Arimo', serifFamily: 'Arimo', monospaceFamily: 'Arimo' },
    shapeRendering: 2,
    textRendering: 1,
  });
  const image = r.render();
  const bytes: Buffer = image.asPng();
  return { bytes, width: Math.round(image.width / scale), height: Math.round(image.height / scale) };
}

/**
 * The font of the static charts (Arimo, shipped in @expo-google-fonts/arimo: metric-compatible with
 * Arial/Helvetica) and vega's text widths measured with it. Without a canvas, vega estimates every
 * text at 0.8 em a character, about 1.6 times the real width of Arimo's digits and lower case: in
 * the PNG, labels were cut at half their limit ("model.encoder.laye…"), axis titles sat far from
 * their labels, and the label-overlap removal dropped tick labels that had room. Measured with the
 * font resvg draws (opentype.js reads its advance widths and kerning), the layout vega computes is
 * the one the PNG shows, and the readability tests can check text boxes against each other.
 */
import * as path from 'node:path';
import { readFileSync } from 'node:fs';

const FILES = {
  regular: '400Regular/Arimo_400Regular.ttf',
  bold: '700Bold/Arimo_700Bold.ttf',
  italic: '400Regular_Italic/Arimo_400Regular_Italic.ttf',
  boldItalic: '700Bold_Italic/Arimo_700Bold_Italic.ttf',
} as const;

type Face = keyof typeof FILES;

function fontDir(): string {
  return path.dirname(require.resolve('@expo-google-fonts/arimo/package.json'));
}

/** The font files (regular, bold, italic, bold italic), for resvg. */
export function fontFiles(): string[] {
  const dir = fontDir();
  return Object.values(FILES).map((f) => path.join(dir, f));
}

interface OpenTypeFont { getAdvanceWidth(text: string, fontSize: number, options?: { kerning?: boolean }): number }

const faces = new Map<Face, OpenTypeFont>();

function face(name: Face): OpenTypeFont {
  let f = faces.get(name);
  if (!f) {
    const opentype = require('opentype.js') as { parse(buffer: ArrayBuffer): OpenTypeFont };
    const bytes = readFileSync(path.join(fontDir(), FILES[name]));
    f = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    faces.set(name, f);
  }
  return f;
}

/** The part of a vega text item that decides its width. */
export interface TextStyle { fontSize?: number; fontWeight?: string | number; fontStyle?: string; limit?: number }

/** Width in pixels of `text` drawn in Arimo at the item's size, weight and style (vega's default size is 11). */
export function arimoWidth(style: TextStyle, text: string): number {
  const size = style.fontSize != null ? +style.fontSize || 0 : 11;
  if (size <= 0 || !text) return 0;
  const w = style.fontWeight;
  const bold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && +w >= 600);
  const italic = style.fontStyle === 'italic' || style.fontStyle === 'oblique';
  return face(bold ? (italic ? 'boldItalic' : 'bold') : italic ? 'italic' : 'regular').getAdvanceWidth(text, size, { kerning: true });
}

/**
 * vega's `textMetrics.width` for a user-defined measure. vega calls it both for the width of an
 * item's text as drawn (its bounds: the text cut at the item's `limit` with an ellipsis) and, while
 * cutting, for the raw width of candidate strings. The two agree below the limit; at or above it the
 * cut needs "does not fit" and the bounds the cut width, which is at most the limit: the limit
 * serves both (the bounds are then at most one character too wide).
 */
export function vegaTextWidth(item: TextStyle, text: unknown): number {
  const s = text == null ? '' : String(text).trim();
  const raw = arimoWidth(item, s);
  const limit = item.limit != null ? +item.limit : 0;
  return limit > 0 && raw >= limit ? limit : raw;
}

/**
 * Decoding of the image formats Tauri's `image-png` / `image-ico` features read, into RGBA8: PNG (every colour type,
 * bit depths 1–16, no interlacing) and ICO files whose largest entry is a PNG. Anything else is refused with a
 * message that says what was found.
 */
import { inflateSync } from 'node:zlib';

export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_PIXELS = 64 * 1024 * 1024;

export class ImageDecodeError extends Error {}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

function isIco(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 1 && bytes[3] === 0;
}

/** PNG or ICO bytes → RGBA8. */
export function decodeImage(bytes: Uint8Array): Rgba {
  if (isPng(bytes)) return decodePng(bytes);
  if (isIco(bytes)) return decodeIco(bytes);
  throw new ImageDecodeError('the bytes are neither a PNG nor an ICO image');
}

function decodeIco(bytes: Uint8Array): Rgba {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint16(4, true);
  let best: { size: number; offset: number; length: number } | undefined;
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 16;
    if (at + 16 > bytes.length) throw new ImageDecodeError('the ICO directory is truncated');
    const w = bytes[at] || 256;
    const h = bytes[at + 1] || 256;
    const length = view.getUint32(at + 8, true);
    const offset = view.getUint32(at + 12, true);
    if (best === undefined || w * h > best.size) best = { size: w * h, offset, length };
  }
  if (best === undefined) throw new ImageDecodeError('the ICO file holds no image');
  const entry = bytes.subarray(best.offset, best.offset + best.length);
  if (!isPng(entry)) throw new ImageDecodeError('the ICO entry is a BMP; only PNG-encoded ICO entries are decoded');
  return decodePng(entry);
}

export function decodePng(bytes: Uint8Array): Rgba {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  let palette: Uint8Array | undefined;
  let alpha: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw new ImageDecodeError(`the PNG chunk ${type} is truncated`);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = data[8] ?? 0;
      colour = data[9] ?? 0;
      if (data[12] !== 0) throw new ImageDecodeError('interlaced PNGs are not decoded');
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') alpha = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (width === 0 || height === 0) throw new ImageDecodeError('the PNG has no IHDR chunk (or a zero size)');
  if (width * height > MAX_PIXELS) throw new ImageDecodeError(`the PNG is too large (${width}×${height})`);
  const channels = ({ 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as Record<number, number>)[colour];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth))
    throw new ImageDecodeError(`unsupported PNG format (colour type ${colour}, depth ${depth})`);
  if (colour === 3 && palette === undefined) throw new ImageDecodeError('the palette PNG has no PLTE chunk');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (cause) {
    throw new ImageDecodeError(`the PNG data does not inflate: ${(cause as Error).message}`);
  }
  const bitsPerPixel = channels * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel >> 3);
  if (raw.length < height * (stride + 1)) throw new ImageDecodeError('the PNG data is shorter than its size says');
  const lines = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x] as number;
      const left = x >= bpp ? (lines[dst + x - bpp] as number) : 0;
      const up = y > 0 ? (lines[dst - stride + x] as number) : 0;
      const ul = y > 0 && x >= bpp ? (lines[dst - stride + x - bpp] as number) : 0;
      let out: number;
      if (filter === 0) out = v;
      else if (filter === 1) out = v + left;
      else if (filter === 2) out = v + up;
      else if (filter === 3) out = v + ((left + up) >> 1);
      else if (filter === 4) {
        const p = left + up - ul;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - ul);
        out = v + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul);
      } else throw new ImageDecodeError(`unknown PNG filter type ${filter}`);
      lines[dst + x] = out & 0xff;
    }
  }
  const sample = (y: number, i: number): number => {
    // the i-th sample of line y, scaled to 8 bits
    if (depth === 8) return lines[y * stride + i] as number;
    if (depth === 16) return lines[y * stride + i * 2] as number;
    const perByte = 8 / depth;
    const byte = lines[y * stride + Math.floor(i / perByte)] as number;
    const shift = 8 - depth * ((i % perByte) + 1);
    const v = (byte >> shift) & ((1 << depth) - 1);
    return colour === 3 ? v : Math.round((v * 255) / ((1 << depth) - 1));
  };
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const s = x * channels;
      if (colour === 6) {
        for (let c = 0; c < 4; c++) rgba[o + c] = sample(y, s + c);
      } else if (colour === 2) {
        for (let c = 0; c < 3; c++) rgba[o + c] = sample(y, s + c);
        rgba[o + 3] = 255;
      } else if (colour === 0 || colour === 4) {
        const g = sample(y, s);
        rgba[o] = g;
        rgba[o + 1] = g;
        rgba[o + 2] = g;
        rgba[o + 3] = colour === 4 ? sample(y, s + 1) : 255;
      } else {
        const idx = sample(y, s);
        const p = palette as Uint8Array;
        rgba[o] = p[idx * 3] ?? 0;
        rgba[o + 1] = p[idx * 3 + 1] ?? 0;
        rgba[o + 2] = p[idx * 3 + 2] ?? 0;
        rgba[o + 3] = alpha?.[idx] ?? 255;
      }
    }
  }
  return { width, height, rgba };
}

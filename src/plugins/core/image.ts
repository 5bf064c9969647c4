/**
 * `plugin:image|…`: `Image` of `@tauri-apps/api/image` (Tauri's image plugin). Images live in
 * the calling webview's resource table (freed with the page or by `Resource.close()`), as RGBA8.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PluginBuilder } from '../../core/plugin.js';
import { bytes, failed, invalid, record, string, u32 } from './args.js';
import { decodeImage, ImageDecodeError, type Rgba } from './png.js';

/** An image held by rid. */
export class ImageResource implements Rgba {
  constructor(
    readonly rgba: Uint8Array,
    readonly width: number,
    readonly height: number,
  ) {}
}

function decoded(data: Uint8Array): ImageResource {
  try {
    const { rgba, width, height } = decodeImage(data);
    return new ImageResource(rgba, width, height);
  } catch (cause) {
    if (cause instanceof ImageDecodeError) throw failed(`failed to decode image: ${cause.message}`);
    throw cause;
  }
}

export const imagePlugin = new PluginBuilder('image')
  .invokeHandler({
    new: (raw: unknown, ctx) => {
      const a = record(raw, 'new', 'rgba');
      const rgba = bytes(a, 'rgba', 'new');
      const width = u32(a, 'width', 'new');
      const height = u32(a, 'height', 'new');
      if (rgba.length !== width * height * 4)
        throw invalid('new', 'rgba', `expected ${width * height * 4} bytes (width × height × 4), got ${rgba.length}`);
      return ctx.resources.add(new ImageResource(rgba, width, height));
    },
    from_bytes: (raw: unknown, ctx) => ctx.resources.add(decoded(bytes(raw, 'bytes', 'from_bytes'))),
    from_path: async (raw: unknown, ctx) => {
      const file = path.resolve(string(record(raw, 'from_path', 'path'), 'path', 'from_path'));
      let data: Uint8Array;
      try {
        data = await readFile(file);
      } catch (cause) {
        throw failed(`failed to read image ${file}: ${(cause as Error).message}`);
      }
      return ctx.resources.add(decoded(data));
    },
    rgba: (raw: unknown, ctx) => ctx.resources.get(u32(record(raw, 'rgba', 'rid'), 'rid', 'rgba'), ImageResource).rgba,
    size: (raw: unknown, ctx) => {
      const image = ctx.resources.get(u32(record(raw, 'size', 'rid'), 'rid', 'size'), ImageResource);
      return { width: image.width, height: image.height };
    },
  })
  .build();

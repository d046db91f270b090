/**
 * Draws the two Teams icons (color 192x192, outline 32x32 white on transparent): a 3x3
 * switchboard of jacks with two patch cords. Run once with `npx tsx teams/make-icons.ts`; the PNGs
 * are committed. A tiny RGBA PNG encoder on node:zlib keeps this dependency-free.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

type RGBA = [number, number, number, number];

function png(width: number, height: number, pixel: (x: number, y: number) => RGBA): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 4 + 1) + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Is (x, y) on the switchboard drawn in a unit square scaled to `size`? */
function onBoard(x: number, y: number, size: number): boolean {
  const u = (x + 0.5) / size;
  const v = (y + 0.5) / size;
  const jacks = [0.25, 0.5, 0.75];
  const r = 0.075;
  for (const cx of jacks) for (const cy of jacks) if ((u - cx) ** 2 + (v - cy) ** 2 <= r * r) return true;
  const cord = (x1: number, y1: number, x2: number, y2: number, w: number) => {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const t = Math.max(0, Math.min(1, ((u - x1) * dx + (v - y1) * dy) / (dx * dx + dy * dy)));
    return (u - (x1 + t * dx)) ** 2 + (v - (y1 + t * dy)) ** 2 <= w * w;
  };
  const w = size < 64 ? 0.04 : 0.025;
  return cord(0.25, 0.25, 0.75, 0.75, w) || cord(0.25, 0.75, 0.5, 0.25, w);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const color = png(192, 192, (x, y) => (onBoard(x, y, 192) ? [255, 255, 255, 255] : [31, 78, 121, 255]));
const outline = png(32, 32, (x, y) => (onBoard(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0]));
fs.writeFileSync(path.join(here, 'color.png'), color);
fs.writeFileSync(path.join(here, 'outline.png'), outline);
console.log('wrote teams/color.png (192x192) and teams/outline.png (32x32)');

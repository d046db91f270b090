/**
 * Evidence is masked before it is written (invariant 11): a screenshot or an HTML snapshot of a
 * CRM page must not show the customer's full mobile or resident ID, and a Playwright trace must
 * not carry them in its DOM snapshots or network bodies.
 *
 * - Pages: `withMaskedPage` rewrites, in the live page, every text node, attribute and form value
 *   holding a personal number (by the shapes of policies/masking.ts — the masking runs in Node,
 *   the page only hands over candidate strings and takes back masked ones), captures, then puts
 *   the originals back so the warm page is unchanged for its next task. If masking fails, nothing
 *   is captured.
 * - Traces: `maskTraceArchive` rewrites the trace zip after Playwright wrote it: every text entry
 *   (trace events, network log, HTML/JSON/CSS resources) masked, every binary entry (images,
 *   fonts: nothing we can read to mask) dropped, written to a temporary file and renamed over the
 *   original, so the raw archive never stays on disk.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { Page } from 'playwright-core';
import { maskText } from '../policies/masking.js';

/** At least this many digits in a string before it is worth masking (a mobile has 11). */
const MIN_DIGITS = 11;

/*
 * The in-page parts are plain script text, not functions: a TypeScript runner that keeps function
 * names (tsx, esbuild keepNames) would wrap functions in a `__name` helper the page does not have.
 */
const COLLECT = `(() => {
  const minDigits = ${MIN_DIGITS};
  const digitCount = (s) => (s.match(/[0-9\\uFF10-\\uFF19]/g) || []).length;
  const items = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const v = n.nodeValue || '';
    if (digitCount(v) >= minDigits) items.push({ node: n, kind: 'text', original: v });
  }
  for (const el of Array.from(document.querySelectorAll('*'))) {
    for (const a of Array.from(el.attributes)) if (digitCount(a.value) >= minDigits) items.push({ node: el, kind: 'attr', name: a.name, original: a.value });
    if ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && digitCount(el.value) >= minDigits) items.push({ node: el, kind: 'value', original: el.value });
  }
  window.__sbMasked = items;
  return items.map((i) => i.original);
})()`;

const apply = (values: string[]) => `(() => {
  const values = ${JSON.stringify(values)};
  (window.__sbMasked || []).forEach((item, i) => {
    const v = values[i];
    if (v === undefined || v === item.original) return;
    if (item.kind === 'text') item.node.nodeValue = v;
    else if (item.kind === 'attr') item.node.setAttribute(item.name, v);
    else item.node.value = v;
  });
})()`;

const RESTORE = `(() => {
  for (const item of window.__sbMasked || []) {
    if (item.kind === 'text') item.node.nodeValue = item.original;
    else if (item.kind === 'attr') item.node.setAttribute(item.name, item.original);
    else item.node.value = item.original;
  }
  delete window.__sbMasked;
})()`;

/** Run `capture` while the page shows masked personal data; the page is restored afterwards. */
export async function withMaskedPage<T>(page: Page, capture: () => Promise<T>): Promise<T> {
  const candidates = (await page.evaluate(COLLECT)) as string[];
  if (candidates.length > 0) await page.evaluate(apply(candidates.map((c) => maskText(c))));
  try {
    return await capture();
  } finally {
    if (candidates.length > 0) await page.evaluate(RESTORE).catch(() => undefined);
  }
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const textEncoder = new TextEncoder();

function asText(bytes: Uint8Array): string | null {
  try {
    const s = textDecoder.decode(bytes);
    return s.includes('\u0000') ? null : s;
  } catch {
    return null;
  }
}

/** Rewrite a Playwright trace zip in place with every text entry masked and binary entries dropped. */
export async function maskTraceArchive(file: string): Promise<{ entries: number; masked: number; dropped: number }> {
  const tmp = `${file}.masking`;
  try {
    const entries = unzipSync(new Uint8Array(await readFile(file)));
    const out: Zippable = {};
    let masked = 0;
    let dropped = 0;
    for (const [name, bytes] of Object.entries(entries)) {
      const text = asText(bytes);
      if (text === null) {
        dropped++;
        continue;
      }
      const m = maskText(text);
      if (m !== text) masked++;
      out[name] = textEncoder.encode(m);
    }
    await writeFile(tmp, zipSync(out, { level: 6 }), { mode: 0o600 });
    await rename(tmp, file);
    return { entries: Object.keys(entries).length, masked, dropped };
  } catch (e) {
    // A trace we cannot mask is not kept: nothing raw may stay on disk.
    await rm(tmp, { force: true }).catch(() => undefined);
    await rm(file, { force: true }).catch(() => undefined);
    throw e;
  }
}

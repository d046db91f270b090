/**
 * Logs never hold personal data in clear: console.log/info/warn/error/debug mask their arguments
 * by shape (policies/masking.ts) before writing. Installed once per process by the composition
 * root, so every `[inbox] …`, `[agent] …` or `[http]` line — and an Error's message and stack
 * that quote a portal's answer — is masked wherever it was written from.
 */
import { format } from 'node:util';
import { maskText } from './policies/masking.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
let installed = false;

export function installLogMasking(target: Console = console): void {
  if (installed && target === console) return;
  if (target === console) installed = true;
  for (const method of METHODS) {
    const original = target[method].bind(target);
    target[method] = (...args: unknown[]) => {
      // One formatted line, masked as a whole (util.format renders objects and errors as they would print).
      original(maskText(format(...args)));
    };
  }
}

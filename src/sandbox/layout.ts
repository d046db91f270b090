/**
 * The page layout being rendered ('a' = the usual pages, 'b' = the "after the vendor's upgrade"
 * variant). Set per request by faults.ts, which runs the rest of the request inside run(), so the
 * HTML helpers render either layout and portal code stays unaware of it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Layout } from './state.js';

export const layoutContext = new AsyncLocalStorage<Layout>();
export const currentLayout = (): Layout => layoutContext.getStore() ?? 'a';

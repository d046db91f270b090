/** The resource system's tools. */
import type { AnyTool } from '../define.js';
import { getPort } from './resource.js';

export const resourceTools: readonly AnyTool[] = [getPort];

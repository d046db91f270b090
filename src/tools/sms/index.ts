/** The SMS gateway's tools (HTTP API). */
import type { AnyTool } from '../define.js';
import { sendNotice } from './sms.js';

export const smsTools: readonly AnyTool[] = [sendNotice];

/** The NMS tools: alarms listed, read and acknowledged. */
import type { AnyTool } from '../define.js';
import { listAlarms } from './nms.js';
import { acknowledgeAlarm, getAlarm } from './nms-alarm.js';

export const nmsTools: readonly AnyTool[] = [listAlarms, getAlarm, acknowledgeAlarm];

/**
 * The legacy systems, and how the robot reaches each: through its web portal (a browser page
 * from the pool) or through its HTTP API (tools/api-client.ts). The tool contract is the same
 * either way; only the carrier differs.
 */
import type { LegacySystem } from './define.js';

export type Carrier = 'browser' | 'api';

export interface SystemInfo {
  system: LegacySystem;
  carrier: Carrier;
  /** Path of the system under the sandbox's URL. */
  sandboxPath: string;
  /** Environment variable holding the real system's base URL. */
  env: `LEGACY_${string}_URL`;
  nameZh: string;
  nameEn: string;
}

export const LEGACY_SYSTEMS: readonly SystemInfo[] = [
  { system: 'crm', carrier: 'browser', sandboxPath: '/crm', env: 'LEGACY_CRM_URL', nameZh: 'CRM', nameEn: 'CRM' },
  { system: 'resource', carrier: 'browser', sandboxPath: '/resource', env: 'LEGACY_RESOURCE_URL', nameZh: '资源系统', nameEn: 'resource system' },
  { system: 'nms', carrier: 'browser', sandboxPath: '/nms', env: 'LEGACY_NMS_URL', nameZh: '网管系统', nameEn: 'NMS' },
  { system: 'ticket', carrier: 'browser', sandboxPath: '/tickets', env: 'LEGACY_TICKET_URL', nameZh: '工单系统', nameEn: 'ticket system' },
  { system: 'billing', carrier: 'browser', sandboxPath: '/billing', env: 'LEGACY_BILLING_URL', nameZh: 'BOSS 计费系统', nameEn: 'BOSS billing' },
  { system: 'channel', carrier: 'browser', sandboxPath: '/channel', env: 'LEGACY_CHANNEL_URL', nameZh: '渠道系统', nameEn: 'channel system' },
  { system: 'sms', carrier: 'api', sandboxPath: '/sms', env: 'LEGACY_SMS_URL', nameZh: '短信网关', nameEn: 'SMS gateway' },
  { system: 'risk', carrier: 'api', sandboxPath: '/risk', env: 'LEGACY_RISK_URL', nameZh: '实名/风控服务', nameEn: 'real-name and risk service' },
];

export function systemInfo(system: LegacySystem): SystemInfo {
  const info = LEGACY_SYSTEMS.find((s) => s.system === system);
  if (!info) throw new Error(`unknown legacy system ${system}`);
  return info;
}

/** Base URL per system: the sandbox's paths, or the configured real systems. */
export function legacyBaseUrls(source: { sandboxUrl: string } | { env: Readonly<Partial<Record<SystemInfo['env'], string>>> }): Record<LegacySystem, string> {
  const out = {} as Record<LegacySystem, string>;
  for (const s of LEGACY_SYSTEMS) {
    const url = 'sandboxUrl' in source ? `${source.sandboxUrl}${s.sandboxPath}` : source.env[s.env];
    if (!url) throw new Error(`${s.env} is not set`);
    out[s.system] = url.replace(/\/+$/, '');
  }
  return out;
}

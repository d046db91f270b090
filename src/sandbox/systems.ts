/** The four legacy systems: path prefix, session cookie and banner name of each. */
import type { SystemInfo } from './html.js';
import type { SystemKey } from './state.js';

export interface SystemDef extends SystemInfo {
  key: SystemKey;
  /** browser: HTML portal with a login form and session cookie; api: JSON API with a bearer token. */
  carrier: 'browser' | 'api';
  cookie: string;
  /** Where "/crm" itself and a login without ?next= lead. */
  home: string;
}

export const SYSTEMS: Record<SystemKey, SystemDef> = {
  crm: {
    key: 'crm',
    carrier: 'browser',
    prefix: '/crm',
    cookie: 'CRM_SESSION',
    home: '/crm/customers',
    nameZh: '客户关系管理系统',
    nameEn: 'CRM',
    menu: [{ href: '/crm/customers', label: '客户查询 Customer search' }],
  },
  resource: {
    key: 'resource',
    carrier: 'browser',
    prefix: '/resource',
    cookie: 'RES_SESSION',
    home: '/resource/ports',
    nameZh: '资源管理系统',
    nameEn: 'Resource Management System',
    menu: [{ href: '/resource/ports', label: '端口查询 Port search' }],
  },
  nms: {
    key: 'nms',
    carrier: 'browser',
    prefix: '/nms',
    cookie: 'NMS_SESSION',
    home: '/nms/alarms',
    nameZh: '网管告警系统',
    nameEn: 'NMS Alarm Monitor',
    menu: [
      { href: '/nms/alarms?state=active', label: '当前告警 Active alarms' },
      { href: '/nms/alarms?state=all', label: '全部告警 All alarms' },
    ],
  },
  tickets: {
    key: 'tickets',
    carrier: 'browser',
    prefix: '/tickets',
    cookie: 'TKT_SESSION',
    home: '/tickets',
    nameZh: '工单系统',
    nameEn: 'Trouble Ticket System',
    menu: [
      { href: '/tickets', label: '工单列表 Ticket list' },
      { href: '/tickets?status=open', label: '待处理 Open tickets' },
    ],
  },
  billing: {
    key: 'billing',
    carrier: 'browser',
    prefix: '/billing',
    cookie: 'BOSS_SESSION',
    home: '/billing/bills',
    nameZh: 'BOSS 计费系统',
    nameEn: 'BOSS Billing',
    menu: [
      { href: '/billing/bills', label: '账单查询 Bills' },
      { href: '/billing/plans', label: '套餐目录 Plan catalogue' },
      { href: '/billing/settlements', label: '渠道结算 Channel settlements' },
    ],
  },
  channel: {
    key: 'channel',
    carrier: 'browser',
    prefix: '/channel',
    cookie: 'CHN_SESSION',
    home: '/channel/sales',
    nameZh: '渠道管理系统',
    nameEn: 'Channel Sales',
    menu: [{ href: '/channel/sales', label: '渠道销售 Channel sales' }],
  },
  sms: {
    key: 'sms',
    carrier: 'api',
    prefix: '/sms',
    cookie: 'SMS_SESSION',
    home: '/sms/api/templates',
    nameZh: '短信网关',
    nameEn: 'SMS Gateway',
    menu: [],
  },
  risk: {
    key: 'risk',
    carrier: 'api',
    prefix: '/risk',
    cookie: 'RISK_SESSION',
    home: '/risk/api/health',
    nameZh: '实名/风控服务',
    nameEn: 'Real-name & Risk Service',
    menu: [],
  },
};

export function systemOfPath(path: string): SystemDef | undefined {
  return Object.values(SYSTEMS).find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`) || path.startsWith(`${s.prefix}?`));
}

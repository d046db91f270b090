/** The four legacy systems: path prefix, session cookie and banner name of each. */
import type { SystemInfo } from './html.js';
import type { SystemKey } from './state.js';

export interface SystemDef extends SystemInfo {
  key: SystemKey;
  cookie: string;
  /** Where "/crm" itself and a login without ?next= lead. */
  home: string;
}

export const SYSTEMS: Record<SystemKey, SystemDef> = {
  crm: {
    key: 'crm',
    prefix: '/crm',
    cookie: 'CRM_SESSION',
    home: '/crm/customers',
    nameZh: '客户关系管理系统',
    nameEn: 'CRM',
    menu: [{ href: '/crm/customers', label: '客户查询 Customer search' }],
  },
  resource: {
    key: 'resource',
    prefix: '/resource',
    cookie: 'RES_SESSION',
    home: '/resource/ports',
    nameZh: '资源管理系统',
    nameEn: 'Resource Management System',
    menu: [{ href: '/resource/ports', label: '端口查询 Port search' }],
  },
  nms: {
    key: 'nms',
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
};

export function systemOfPath(path: string): SystemDef | undefined {
  return Object.values(SYSTEMS).find((s) => path === s.prefix || path.startsWith(`${s.prefix}/`) || path.startsWith(`${s.prefix}?`));
}

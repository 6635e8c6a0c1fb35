import type { AdminServices } from '../../../domain/services.js';
import { idParam, type RouteSpec } from '../route.js';
import { Alert, Device, DeviceDetail, Status, list } from '../response-schemas.js';

/** Devices, the status overview and alerts: the read side. */
export function fleetRoutes(s: AdminServices): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/devices',
      tag: 'devices',
      summary: 'List devices',
      query: {
        platform: { type: 'string', description: 'ios, windows10, windowsPhone81, samsungKnox or androidForWork' },
        userId: { type: 'string' },
        status: { type: 'string', enum: ['enrolled', 'unenrolled'] },
      },
      response: list(Device),
      handler: (r) => s.devices.list(r.query),
    },
    { method: 'get', path: '/devices/{id}', tag: 'devices', summary: 'A device with its profile states, compliance and alerts', response: DeviceDetail, handler: (r) => s.devices.get(idParam(r)) },
    { method: 'get', path: '/status', tag: 'status', summary: 'Per profile, how many devices are in each state', response: Status, handler: () => s.status.overview() },
    {
      method: 'get',
      path: '/alerts',
      tag: 'status',
      summary: 'Alerts (active by default)',
      query: {
        deviceId: { type: 'string' },
        profileId: { type: 'string' },
        kind: { type: 'string' },
        status: { type: 'string', enum: ['active', 'resolved', 'all'] },
      },
      response: list(Alert),
      handler: (r) => s.alerts.list(r.query),
    },
  ];
}

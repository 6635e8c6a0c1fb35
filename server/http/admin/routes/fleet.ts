import { AllowReenrollment } from '../../../domain/schemas.js';
import type { AdminServices } from '../../../domain/services.js';
import { idParam, type RouteSpec } from '../route.js';
import { Alert, Device, DeviceDetail, ReenrollmentAllowance, Status, list } from '../response-schemas.js';

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
        hardwareId: { type: 'string', description: 'only the device with this UDID, Windows DeviceID or Android id' },
      },
      response: list(Device),
      handler: (r) => s.devices.list(r.query),
    },
    { method: 'get', path: '/devices/{id}', tag: 'devices', summary: 'A device with its profile states, compliance and alerts', response: DeviceDetail, handler: (r) => s.devices.get(idParam(r)) },
    {
      method: 'post',
      path: '/devices/{id}/allow-reenrollment',
      tag: 'devices',
      summary:
        'Allow one new identity to enroll this device although another is bound to it (the device was erased, or its CheckOut never arrived); ' +
        'spent by that enrollment, void after expiresInMinutes. Without it such an enrollment is refused with an enrollmentConflict alert',
      body: AllowReenrollment,
      bodyOptional: true,
      response: ReenrollmentAllowance,
      handler: (r) => s.devices.allowReenrollment(idParam(r), r.body),
    },
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

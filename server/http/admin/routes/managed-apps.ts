import type { Schema } from '../../../../protocol/admin/schema.js';
import { ManagedAppDeploymentBody, MANAGED_APPS, type ManagedAppService } from '../../../android/managed-apps.js';
import type { RouteSpec } from '../route.js';
import { DeploymentWarning, list } from '../response-schemas.js';

const ManagedApp: Schema = {
  type: 'object',
  required: ['app', 'name', 'packageName', 'groupIds'],
  additionalProperties: true,
  properties: {
    app: { type: 'string', enum: MANAGED_APPS },
    name: { type: 'string' },
    packageName: { type: 'string', description: 'the Android package (com.google.android.gm, com.ninefolders.hd3.work)' },
    groupIds: { type: 'array', items: { type: 'string' }, description: 'groups whose Android for Work devices get the app FORCE_INSTALLED in the work profile' },
    warnings: { ...list(DeploymentWarning), description: 'profiles configuring the app that still reach users without it (appNotDeployed); absent when none' },
  },
};

/** Managed apps: Gmail and Nine Work deployed to groups, "as well as the profile". */
export function managedAppRoutes(apps: ManagedAppService): RouteSpec[] {
  return [
    { method: 'get', path: '/managed-apps', tag: 'managed apps', summary: 'The mail apps Android for Work profiles configure (gmail, nineWork) and where each is deployed', response: list(ManagedApp), handler: () => apps.list() },
    { method: 'get', path: '/managed-apps/{app}', tag: 'managed apps', summary: 'One managed app (gmail or nineWork) and its deployment', response: ManagedApp, handler: (r) => apps.get(r.params.app!) },
    {
      method: 'put',
      path: '/managed-apps/{app}/deployment',
      tag: 'managed apps',
      summary: "Deploy the app to exactly these groups ([] withdraws it): FORCE_INSTALLED in the work profile of their Android for Work devices",
      body: ManagedAppDeploymentBody,
      response: ManagedApp,
      handler: (r) => apps.deploy(r.params.app!, r.body),
    },
  ];
}

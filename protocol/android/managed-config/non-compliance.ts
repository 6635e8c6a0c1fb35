/**
 * Configuration problems as the device reports them: AMAPI NonComplianceDetail with reason
 * INVALID_VALUE ("the setting has an invalid value"), `settingName` the top-level Policy field and
 * `fieldPath` the path into the policy (AMAPI's example: `applications[2].externalData.url`).
 *
 * What the device reports must itself be a valid report, whatever the server sent: at most
 * MAX_DETAILS_PER_SOURCE details per configuration, field paths cut to the report's limit, and a
 * current value only when it is small.
 */

/** Details reported for one configuration (a policy may hold 256 unknown keys; the report does not need them all). */
export const MAX_DETAILS_PER_SOURCE = 50;

/** Largest current value echoed back, as JSON text, and its deepest nesting (the report's depth limit is 24). */
export const MAX_CURRENT_VALUE_JSON = 1024;
export const MAX_CURRENT_VALUE_DEPTH = 8;

import { DEVICE_PART_LIMITS, type NonComplianceDetail } from '../amapi/device-parts.js';
import { MDMLAB_EXTENSION_FIELD } from '../amapi/mdmlab-extension.js';
import { depthAtMost, jsonPath } from '../json.js';
import type { ConfigProblem } from './value-model.js';

/** Problems of one app's managed configuration (`applications[index].managedConfiguration`). */
export function managedConfigurationNonCompliance(
  problems: readonly ConfigProblem[],
  app: { packageName: string; applicationIndex: number },
): NonComplianceDetail[] {
  const base = jsonPath(jsonPath('applications', app.applicationIndex), 'managedConfiguration');
  return problems.slice(0, MAX_DETAILS_PER_SOURCE).map((p) => detail('applications', p.key ? jsonPath(base, p.key) : base, p, app.packageName));
}

/** Problems of one Knox Exchange account (`mdmlab.knoxExchangeAccounts[index]`). */
export function knoxAccountNonCompliance(problems: readonly ConfigProblem[], accountIndex: number): NonComplianceDetail[] {
  const base = jsonPath(jsonPath(MDMLAB_EXTENSION_FIELD, 'knoxExchangeAccounts'), accountIndex);
  return problems.slice(0, MAX_DETAILS_PER_SOURCE).map((p) => detail(MDMLAB_EXTENSION_FIELD, p.key ? jsonPath(base, p.key) : base, p));
}

function detail(settingName: string, fieldPath: string, problem: ConfigProblem, packageName?: string): NonComplianceDetail {
  const d: NonComplianceDetail = { settingName, nonComplianceReason: 'INVALID_VALUE' };
  if (packageName !== undefined) d.packageName = packageName;
  d.fieldPath = fieldPath.length > DEVICE_PART_LIMITS.fieldPath ? fieldPath.slice(0, DEVICE_PART_LIMITS.fieldPath) : fieldPath;
  const value = problem.currentValue;
  if (value !== undefined && depthAtMost(value, MAX_CURRENT_VALUE_DEPTH) && JSON.stringify(value).length <= MAX_CURRENT_VALUE_JSON) {
    d.currentValue = value;
  }
  return d;
}

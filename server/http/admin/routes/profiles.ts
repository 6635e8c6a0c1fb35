import type { AdminServices } from '../../../domain/services.js';
import { CreateCertificateProfile, Deployment } from '../../../domain/schemas.js';
import { idParam, type RouteSpec } from '../route.js';
import { CertificateProfile, DeploymentView, EmailProfile, emailProfileBody, list } from '../response-schemas.js';

/** Certificate profiles, email profiles and their deployments. */
export function profileRoutes(s: AdminServices): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/certificate-profiles',
      tag: 'certificate profiles',
      summary: 'Create a scep or trustedRoot certificate profile',
      body: CreateCertificateProfile,
      status: 201,
      response: CertificateProfile,
      handler: (r) => s.certificateProfiles.create(r.body),
    },
    { method: 'get', path: '/certificate-profiles', tag: 'certificate profiles', summary: 'List certificate profiles', response: list(CertificateProfile), handler: () => s.certificateProfiles.list() },
    { method: 'get', path: '/certificate-profiles/{id}', tag: 'certificate profiles', summary: 'Get a certificate profile', response: CertificateProfile, handler: (r) => s.certificateProfiles.get(idParam(r)) },
    {
      method: 'delete',
      path: '/certificate-profiles/{id}',
      tag: 'certificate profiles',
      summary: 'Delete a certificate profile no email profile uses',
      status: 204,
      handler: (r) => s.certificateProfiles.delete(idParam(r)),
    },

    {
      method: 'post',
      path: '/email-profiles',
      tag: 'email profiles',
      summary: 'Create an email profile of one of the six platform types',
      body: emailProfileBody(true),
      status: 201,
      response: EmailProfile,
      handler: (r) => s.emailProfiles.create(r.body),
    },
    { method: 'get', path: '/email-profiles', tag: 'email profiles', summary: 'List email profiles', response: list(EmailProfile), handler: () => s.emailProfiles.list() },
    { method: 'get', path: '/email-profiles/{id}', tag: 'email profiles', summary: 'Get an email profile', response: EmailProfile, handler: (r) => s.emailProfiles.get(idParam(r)) },
    {
      method: 'patch',
      path: '/email-profiles/{id}',
      tag: 'email profiles',
      summary: 'Edit settings (null clears one); host and emailSource of a deployed profile are frozen (409)',
      body: emailProfileBody(false),
      response: EmailProfile,
      handler: (r) => s.emailProfiles.update(idParam(r), r.body),
    },
    {
      method: 'delete',
      path: '/email-profiles/{id}',
      tag: 'email profiles',
      summary: 'Delete an email profile; devices holding it get it removed',
      status: 204,
      handler: (r) => s.emailProfiles.delete(idParam(r)),
    },
    { method: 'get', path: '/email-profiles/{id}/deployment', tag: 'email profiles', summary: 'The groups the profile is deployed to', response: DeploymentView, handler: (r) => s.deployments.get(idParam(r)) },
    {
      method: 'put',
      path: '/email-profiles/{id}/deployment',
      tag: 'email profiles',
      summary: 'Deploy the profile to exactly these groups ([] undeploys)',
      body: Deployment,
      response: DeploymentView,
      handler: (r) => s.deployments.set(idParam(r), r.body),
    },
  ];
}

import { signCms } from '../../certs/cms-signed.js';
import { CHECKIN_CONTENT_TYPE, encodeCheckIn, type CheckInMessage } from '../../protocol/apple/checkin.js';
import { encodeReport, type CommandReport } from '../../protocol/apple/command-report.js';
import { MDM_CONTENT_TYPE } from '../../protocol/apple/command.js';
import { isHttpError, type HttpClient, type HttpResponse } from '../transport/http.js';
import type { Enrollment, SigningIdentity } from './device-state.js';
import { IosDeviceError } from './errors.js';

/**
 * The device side of the Apple MDM HTTP exchange (Apple MDM Protocol Reference, "MDM Check-in
 * Protocol" and "Mobile Device Management Protocol"): every request is a PUT of an XML plist;
 * check-ins go to CheckInURL as `application/x-apple-aspen-mdm-checkin`, reports to ServerURL as
 * `application/x-apple-aspen-mdm`; with SignMessage the `Mdm-Signature` header carries base64 of a
 * detached CMS SignedData over the exact body, signed by the identity (Apple YAML
 * mdm/profiles/com.apple.mdm.yaml, SignMessage; RFC 5652). A non-200 answer is an
 * IosDeviceError('serverRefused') with the server's reason.
 */
export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export class MdmClient {
  constructor(
    private readonly http: HttpClient,
    private readonly caPem: () => string | undefined,
  ) {}

  async checkIn(enrollment: Enrollment, identity: SigningIdentity, message: CheckInMessage): Promise<void> {
    const url = enrollment.checkInUrl || enrollment.serverUrl;
    await this.#put(url, CHECKIN_CONTENT_TYPE, encodeCheckIn(message), enrollment, identity, message.MessageType);
  }

  /** Sends a report; returns the next command's body, or undefined for the empty 200 that ends the exchange. */
  async report(enrollment: Enrollment, identity: SigningIdentity, report: CommandReport): Promise<Buffer | undefined> {
    const res = await this.#put(enrollment.serverUrl, MDM_CONTENT_TYPE, encodeReport(report), enrollment, identity, `${report.Status} report`);
    return res.body.length === 0 ? undefined : res.body;
  }

  /** The PUT a device sends: the body and, with SignMessage, its Mdm-Signature (Apple YAML com.apple.mdm SignMessage). */
  signedRequest(url: string, contentType: string, text: string, enrollment: Enrollment, identity: SigningIdentity): SignedRequest {
    const body = Buffer.from(text, 'utf8');
    const headers: Record<string, string> = { 'content-type': contentType, 'user-agent': 'MDM/1.0' };
    if (enrollment.signMessage) {
      const signature = signCms({ content: body, detached: true, signerCertDer: identity.certDer, signerKey: identity.privateKey });
      headers['mdm-signature'] = signature.toString('base64');
    }
    return { url, headers, body };
  }

  /** The Idle report this device would send now, for load tools that replay it (bench:apple). */
  idleRequest(enrollment: Enrollment, identity: SigningIdentity, udid: string): SignedRequest {
    return this.signedRequest(enrollment.serverUrl, MDM_CONTENT_TYPE, encodeReport({ Status: 'Idle', UDID: udid }), enrollment, identity);
  }

  async #put(url: string, contentType: string, text: string, enrollment: Enrollment, identity: SigningIdentity, what: string): Promise<HttpResponse> {
    const { headers, body } = this.signedRequest(url, contentType, text, enrollment, identity);
    let res: HttpResponse;
    try {
      res = await this.http.request({ method: 'PUT', url, headers, body, caPem: this.caPem() });
    } catch (err) {
      if (isHttpError(err)) throw new IosDeviceError('network', `${what} to ${url}: ${err.message}`, { cause: err });
      throw err;
    }
    if (res.status !== 200) {
      const reason = res.body.toString('utf8').trim().slice(0, 500);
      throw new IosDeviceError('serverRefused', `${what} to ${url} answered ${res.status}: ${reason}`, { status: res.status });
    }
    return res;
  }
}

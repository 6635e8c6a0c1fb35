import { decodeSoapEnvelope, faultHresult, readSoapFault, SOAP_CONTENT_TYPE, type SoapEnvelope } from '../../../protocol/windows/mde2/index.js';
import { isWindowsProtocolError } from '../../../protocol/windows/index.js';
import { isHttpError, type HttpClient } from '../../transport/http.js';
import { WindowsDeviceError } from '../errors.js';

/**
 * One SOAP 1.2 exchange of the enrollment client (MS-MDE2 §2.1: SOAP over HTTPS,
 * `application/soap+xml; charset=utf-8`). A SOAP fault (MS-MDE2 §2.2.10) is the server refusing the
 * enrollment, reported with its subcode, reason and the HRESULT Windows would show; an answer that is
 * not SOAP is the server failing.
 */
export interface SoapExchange {
  http: HttpClient;
  caPem: string | undefined;
  userAgent: string;
}

export async function postSoap(x: SoapExchange, url: string, body: string, what: string): Promise<SoapEnvelope> {
  let res;
  try {
    res = await x.http.request({
      method: 'POST',
      url,
      headers: { 'content-type': SOAP_CONTENT_TYPE, 'user-agent': x.userAgent },
      body,
      ...(x.caPem ? { caPem: x.caPem } : {}),
    });
  } catch (err) {
    if (isHttpError(err)) throw new WindowsDeviceError('network', `${what} at ${url}: ${err.message}`, { cause: err });
    throw err;
  }
  let env: SoapEnvelope;
  try {
    env = decodeSoapEnvelope(res.body);
  } catch (err) {
    if (!isWindowsProtocolError(err)) throw err;
    const reason = res.body.toString('utf8').trim().slice(0, 200);
    if (res.status !== 200) throw new WindowsDeviceError('serverRefused', `${what} at ${url} answered ${res.status}: ${reason}`, { status: res.status });
    throw new WindowsDeviceError('enrollmentRefused', `${what} at ${url}: the answer is not a SOAP envelope (${err.message})`, { cause: err });
  }
  const fault = readSoapFault(env);
  if (fault) {
    const hresult = faultHresult(fault);
    const code = [fault.subcode, fault.detail?.errorType].filter(Boolean).join('/');
    throw new WindowsDeviceError(
      'enrollmentRefused',
      `${what} refused: ${code || fault.code}${hresult !== undefined ? ` (0x${hresult.toString(16)})` : ''}: ${fault.detail?.message ?? fault.reason}`,
      { status: res.status },
    );
  }
  if (res.status !== 200) throw new WindowsDeviceError('serverRefused', `${what} at ${url} answered ${res.status}`, { status: res.status });
  return env;
}

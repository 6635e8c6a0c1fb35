import { SYNCML_DM_CONTENT_TYPE } from '../../../protocol/windows/syncml/index.js';
import { isHttpError, type ClientCertificate, type HttpClient } from '../../transport/http.js';
import { WindowsDeviceError } from '../errors.js';

/**
 * OMA-DM over HTTP(S) as the Windows DM client sends it (Microsoft, "OMA DM protocol support":
 * HTTPS with the enrollment's client certificate for mutual TLS; Content-Type
 * application/vnd.syncml.dm+xml; the headers a Windows 10 client sends, as captured in Fleet's proof
 * of concept). Any answer but 200 is the server refusing the message.
 */
export interface DmTransport {
  http: HttpClient;
  /** CAs trusted for https (the lab CA and the provisioned roots). */
  caPem: () => string | undefined;
  /** The enrollment's certificate and key, presented when the server asks (https only). */
  clientCertificate: () => ClientCertificate | undefined;
  userAgent: string;
}

export async function postSyncML(t: DmTransport, url: string, body: string): Promise<Buffer> {
  let res;
  const caPem = t.caPem();
  const clientCertificate = t.clientCertificate();
  try {
    res = await t.http.request({
      method: 'POST',
      url,
      headers: {
        'content-type': SYNCML_DM_CONTENT_TYPE,
        accept: `${SYNCML_DM_CONTENT_TYPE}, application/vnd.syncml.dm+wbxml, application/octet-stream`,
        'accept-charset': 'UTF-8',
        'user-agent': t.userAgent,
      },
      body,
      ...(caPem ? { caPem } : {}),
      ...(clientCertificate ? { clientCertificate } : {}),
    });
  } catch (err) {
    if (isHttpError(err)) throw new WindowsDeviceError('network', `OMA-DM message to ${url}: ${err.message}`, { cause: err });
    throw err;
  }
  if (res.status !== 200) {
    const reason = res.body.toString('utf8').trim().slice(0, 300);
    throw new WindowsDeviceError('serverRefused', `OMA-DM message to ${url} answered ${res.status}${reason ? `: ${reason}` : ''}`, { status: res.status });
  }
  return res.body;
}

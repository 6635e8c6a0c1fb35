/** SyncML messages shaped like a Windows 10 client's and an MDM server's, for the syncml tests. */
import { DEVICE_ID, SERVER } from '../fixtures.js';

export const MDM_URL = `${SERVER}/ManagementServer/MDM.svc`;

/**
 * A client's first message of a session: Alert 1201, LoginStatus, the DevInfo Replace (the shape of a
 * Windows 10 19043 client), here with a hex SessionID and an MD5 credential as Windows sends when
 * provisioned with DIGEST credentials.
 */
export function clientFirstMessage(opts: { sessionId?: string; msgId?: string; cred?: string; unenroll?: boolean } = {}): string {
  return `<SyncML xmlns="SYNCML:SYNCML1.2">
  <SyncHdr>
    <VerDTD>1.2</VerDTD>
    <VerProto>DM/1.2</VerProto>
    <SessionID>${opts.sessionId ?? '1A'}</SessionID>
    <MsgID>${opts.msgId ?? '1'}</MsgID>
    <Target>
      <LocURI>${MDM_URL}</LocURI>
    </Target>
    <Source>
      <LocURI>${DEVICE_ID}</LocURI>
      <LocName>${DEVICE_ID}</LocName>
    </Source>${
      opts.cred === undefined
        ? ''
        : `
    <Cred>
      <Meta>
        <Format xmlns="syncml:metinf">b64</Format>
        <Type xmlns="syncml:metinf">syncml:auth-md5</Type>
      </Meta>
      <Data>${opts.cred}</Data>
    </Cred>`
    }
    <Meta>
      <MaxMsgSize xmlns="syncml:metinf">65536</MaxMsgSize>
    </Meta>
  </SyncHdr>
  <SyncBody>
    <Alert>
      <CmdID>2</CmdID>
      <Data>1201</Data>
    </Alert>
    <Alert>
      <CmdID>3</CmdID>
      <Data>1224</Data>
      <Item>
        <Meta>
          <Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type>
        </Meta>
        <Data>user</Data>
      </Item>
    </Alert>${
      opts.unenroll
        ? `
    <Alert>
      <CmdID>4</CmdID>
      <Data>1226</Data>
      <Item>
        <Meta>
          <Type xmlns="syncml:metinf">com.microsoft:mdm.unenrollment.userrequest</Type>
          <Format xmlns="syncml:metinf">int</Format>
        </Meta>
        <Data>1</Data>
      </Item>
    </Alert>`
        : ''
    }
    <Replace>
      <CmdID>5</CmdID>
      <Item>
        <Source>
          <LocURI>./DevInfo/DevId</LocURI>
        </Source>
        <Data>${DEVICE_ID}</Data>
      </Item>
      <Item>
        <Source>
          <LocURI>./DevInfo/Man</LocURI>
        </Source>
        <Data>Contoso &amp; Co.</Data>
      </Item>
      <Item>
        <Source>
          <LocURI>./DevInfo/Mod</LocURI>
        </Source>
        <Data>Surface Laptop 4</Data>
      </Item>
      <Item>
        <Source>
          <LocURI>./DevInfo/DmV</LocURI>
        </Source>
        <Data>1.3</Data>
      </Item>
      <Item>
        <Source>
          <LocURI>./DevInfo/Lang</LocURI>
        </Source>
        <Data>en-US</Data>
      </Item>
    </Replace>
    <Final/>
  </SyncBody>
</SyncML>`;
}

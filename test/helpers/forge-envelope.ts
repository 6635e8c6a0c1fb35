import forge from 'node-forge';

/**
 * A CMS EnvelopedData made by node-forge's PKCS#7 (not our certs/cms-enveloped.ts), with the given
 * content cipher OID. forge's envelope does not offer single DES itself, so for DES the content is
 * encrypted with forge's DES-CBC first and handed to the envelope as already encrypted (forge then
 * only wraps the key for the recipient), as Go's pkcs7 package encrypts SCEP replies.
 */
export function forgeEnvelope(content: Buffer, recipientCertDer: Buffer, cipherOid: string): Buffer {
  const p7 = forge.pkcs7.createEnvelopedData();
  p7.addRecipient(forge.pki.certificateFromAsn1(forge.asn1.fromDer(recipientCertDer.toString('binary'))));
  p7.content = forge.util.createBuffer(content.toString('binary'));
  if (cipherOid === forge.pki.oids.desCBC) {
    const key = forge.random.getBytesSync(8);
    const iv = forge.random.getBytesSync(8);
    const des = forge.cipher.createCipher('DES-CBC', key);
    des.start({ iv });
    des.update(forge.util.createBuffer(content.toString('binary')));
    des.finish();
    Object.assign(p7, { encryptedContent: { algorithm: cipherOid, key: forge.util.createBuffer(key), parameter: forge.util.createBuffer(iv), content: des.output } });
    p7.encrypt();
  } else {
    p7.encrypt(undefined, cipherOid);
  }
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
}

export const FORGE_CIPHER_OIDS = {
  des: forge.pki.oids.desCBC!,
  des3: forge.pki.oids['des-EDE3-CBC']!,
  aes256: forge.pki.oids['aes256-CBC']!,
} as const;

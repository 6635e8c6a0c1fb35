// scepclient: a thin command line around Debian's micromdm/scep v2 library (the Debian package ships
// the library but not upstream's cmd/). Every SCEP structure (PKCSReq, envelope, signature, CertRep
// parsing and decryption) and the HTTP binding come from the library; this file only wires flags,
// keys and files. RFC 8894 §3.5.2: the content cipher is chosen from GetCACaps unless -cipher says.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	scepclient "github.com/micromdm/scep/v2/client"
	"github.com/micromdm/scep/v2/cryptoutil/x509util"
	"github.com/micromdm/scep/v2/scep"

	"github.com/go-kit/kit/log"
	"github.com/go-kit/kit/log/level"
	"go.mozilla.org/pkcs7"
)

func main() {
	serverURL := flag.String("server-url", "", "SCEP server URL")
	challenge := flag.String("challenge", "", "challengePassword to put in the CSR")
	keyPath := flag.String("private-key", "", "RSA private key (PEM, PKCS#1 or PKCS#8); created when missing")
	keySize := flag.Int("keySize", 2048, "RSA key size when the key is created")
	certPath := flag.String("certificate", "", "where to write the issued certificate (PEM)")
	cn := flag.String("cn", "", "subject CN")
	org := flag.String("organization", "", "subject O")
	ou := flag.String("ou", "", "subject OU")
	country := flag.String("country", "", "subject C")
	cipher := flag.String("cipher", "auto", "content cipher: auto (from GetCACaps), aes128, aes256, des (the library default)")
	debug := flag.Bool("debug", false, "debug logging")
	pkiOut := flag.String("pkimessage-out", "", "do not send: write the PKCSReq pkiMessage (PEM) here, for another transport such as certmonger's scep-submit")
	signerOut := flag.String("signer-out", "", "with -pkimessage-out: write the self-signed signer certificate (PEM) here, needed to open the CertRep")
	flag.Parse()
	if *serverURL == "" || *keyPath == "" || (*certPath == "") == (*pkiOut == "") || (*pkiOut != "") != (*signerOut != "") {
		fmt.Fprintln(os.Stderr, "scepclient: needs -server-url, -private-key and either -certificate or -pkimessage-out with -signer-out")
		os.Exit(2)
	}
	logger := log.NewLogfmtLogger(os.Stderr)
	if !*debug {
		logger = level.NewFilter(logger, level.AllowInfo())
	}
	subject := pkix.Name{CommonName: *cn}
	if *org != "" {
		subject.Organization = []string{*org}
	}
	if *ou != "" {
		subject.OrganizationalUnit = []string{*ou}
	}
	if *country != "" {
		subject.Country = []string{*country}
	}
	if err := run(logger, *serverURL, *challenge, *keyPath, *keySize, *certPath, *cipher, subject, *pkiOut, *signerOut); err != nil {
		fmt.Fprintln(os.Stderr, "scepclient:", err)
		os.Exit(1)
	}
}

func run(logger log.Logger, serverURL, challenge, keyPath string, keySize int, certPath, cipher string, subject pkix.Name, pkiOut, signerOut string) error {
	ctx := context.Background()
	client, err := scepclient.New(serverURL, logger)
	if err != nil {
		return err
	}
	caps, err := client.GetCACaps(ctx)
	if err != nil {
		return fmt.Errorf("GetCACaps: %w", err)
	}
	if err := chooseCipher(cipher, string(caps)); err != nil {
		return err
	}
	key, err := loadOrCreateKey(keyPath, keySize)
	if err != nil {
		return err
	}
	csrDer, err := x509util.CreateCertificateRequest(rand.Reader, &x509util.CertificateRequest{
		CertificateRequest: x509.CertificateRequest{Subject: subject, SignatureAlgorithm: x509.SHA256WithRSA},
		ChallengePassword:  challenge,
	}, key)
	if err != nil {
		return fmt.Errorf("creating the CSR: %w", err)
	}
	csr, err := x509.ParseCertificateRequest(csrDer)
	if err != nil {
		return err
	}
	// RFC 8894 §2.3: before it has a certificate the requester signs with a self-signed one.
	signer, err := selfSigned(key, subject)
	if err != nil {
		return err
	}
	caDer, caNum, err := client.GetCACert(ctx, "")
	if err != nil {
		return fmt.Errorf("GetCACert: %w", err)
	}
	var cas []*x509.Certificate
	if caNum > 1 {
		cas, err = scep.CACerts(caDer)
	} else {
		cas, err = x509.ParseCertificates(caDer)
	}
	if err != nil {
		return fmt.Errorf("GetCACert: %w", err)
	}
	req, err := scep.NewCSRRequest(csr, &scep.PKIMessage{
		MessageType: scep.PKCSReq,
		Recipients:  cas,
		SignerKey:   key,
		SignerCert:  signer,
	}, scep.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("creating the PKCSReq: %w", err)
	}
	if pkiOut != "" {
		if err := os.WriteFile(signerOut, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: signer.Raw}), 0o644); err != nil {
			return err
		}
		level.Info(logger).Log("msg", "wrote PKCSReq", "transaction_id", req.TransactionID, "file", pkiOut)
		return os.WriteFile(pkiOut, pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: req.Raw}), 0o644)
	}
	level.Info(logger).Log("msg", "sending PKCSReq", "transaction_id", req.TransactionID)
	respDer, err := client.PKIOperation(ctx, req.Raw)
	if err != nil {
		return fmt.Errorf("PKIOperation: %w", err)
	}
	resp, err := scep.ParsePKIMessage(respDer, scep.WithLogger(logger), scep.WithCACerts(req.Recipients))
	if err != nil {
		return fmt.Errorf("parsing the CertRep: %w", err)
	}
	if resp.TransactionID != req.TransactionID {
		return fmt.Errorf("CertRep transactionID %q does not match the request's %q", resp.TransactionID, req.TransactionID)
	}
	if string(resp.RecipientNonce) != string(req.SenderNonce) {
		return errors.New("CertRep recipientNonce does not echo our senderNonce")
	}
	switch resp.PKIStatus {
	case scep.FAILURE:
		return fmt.Errorf("PKCSReq failed: pkiStatus=FAILURE failInfo=%s", failInfoName(resp.FailInfo))
	case scep.PENDING:
		return errors.New("PKCSReq pending: pkiStatus=PENDING (manual approval is not supported here)")
	}
	if err := resp.DecryptPKIEnvelope(signer, key); err != nil {
		return fmt.Errorf("decrypting the CertRep: %w", err)
	}
	cert := resp.CertRepMessage.Certificate
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644); err != nil {
		return err
	}
	level.Info(logger).Log("pkiStatus", "SUCCESS", "subject", cert.Subject.String(), "serial", cert.SerialNumber.Text(16))
	return nil
}

// failInfoName avoids the library's String(), which panics on a value outside RFC 8894 §3.2.1.4.
func failInfoName(f scep.FailInfo) string {
	switch f {
	case scep.BadAlg, scep.BadMessageCheck, scep.BadRequest, scep.BadTime, scep.BadCertID:
		return f.String()
	}
	return fmt.Sprintf("unknown (%q)", string(f))
}

func chooseCipher(choice, caps string) error {
	has := func(c string) bool {
		for _, line := range strings.Split(caps, "\n") {
			if strings.EqualFold(strings.TrimSpace(line), c) {
				return true
			}
		}
		return false
	}
	switch choice {
	case "auto":
		if has("AES") {
			pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC
		}
	case "aes128":
		pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC
	case "aes256":
		pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES256CBC
	case "des":
		pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmDESCBC
	default:
		return fmt.Errorf("unknown -cipher %q", choice)
	}
	return nil
}

func loadOrCreateKey(path string, bits int) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, err
		}
		der := x509.MarshalPKCS1PrivateKey(key)
		return key, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600)
	}
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	if block.Type == "RSA PRIVATE KEY" {
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an RSA key", path)
	}
	return key, nil
}

func selfSigned(key *rsa.PrivateKey, subject pkix.Name) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: serial,
		Subject:      subject,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}, &x509.Certificate{Subject: subject}, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

//! The TLS set-up every registry client of the process shares.
//!
//! reqwest builds a rustls configuration for each client, and with it reads and parses the
//! system's CA certificates (the bundle and the directory: about 290 certificates here); a
//! pull built three clients, ≈ 8 ms of CPU before its first request. Here one configuration
//! serves them all, and its verifier reads the certificates once, when a handshake first
//! needs them: a plain-HTTP pull (a loopback registry, `--insecure-registry`) never reads
//! them, and a blob redirect from it to an HTTPS host still verifies that host. An HTTPS
//! registry reads them up front ([`roots`]), so that a system without any says so in its
//! own words before a request is made.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_platform_verifier::Verifier;
use std::sync::{Arc, OnceLock};

/// The configuration reqwest is handed: TLS 1.2 and 1.3, ALPN as reqwest sets it without
/// HTTP/2, the certificates checked by the platform verifier as reqwest's own would.
pub(super) fn config() -> Result<rustls::ClientConfig, rustls::Error> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, rustls::Error>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let provider = provider();
            let verifier = Arc::new(Lazy {
                provider: provider.clone(),
            });
            let mut c = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth();
            c.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(c)
        })
        .clone()
}

/// The system's CA certificates, read on the first call; the error says why there are none.
pub(super) fn roots() -> Result<&'static Verifier, &'static str> {
    static ROOTS: OnceLock<Result<Verifier, String>> = OnceLock::new();
    ROOTS
        .get_or_init(|| Verifier::new(provider()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(String::as_str)
}

fn provider() -> Arc<CryptoProvider> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

/// The platform verifier, built at the first certificate it is asked to check. Signatures
/// are checked as it checks them (the provider's algorithms), which needs no certificates.
#[derive(Debug)]
struct Lazy {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Lazy {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        roots()
            .map_err(|e| rustls::Error::General(e.to_string()))?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_configuration_for_every_client() -> Result<(), Box<dyn std::error::Error>> {
        let (a, b) = (config()?, config()?);
        assert!(Arc::ptr_eq(
            &a.crypto_provider().clone(),
            &b.crypto_provider().clone()
        ));
        assert_eq!(a.alpn_protocols, vec![b"http/1.1".to_vec()]);
        let schemes = Lazy {
            provider: provider(),
        }
        .supported_verify_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP256_SHA256),
            "{schemes:?}"
        );
        Ok(())
    }
}

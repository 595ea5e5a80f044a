//! The control plane's own certificate authority, its serving certificate, and files only the
//! owner can read.
//!
//! A fresh CA is generated at every start (rcgen) and signs kube-apiserver's serving certificate
//! for `127.0.0.1` and `localhost`. The admin client and the written kubeconfig trust that CA and
//! nothing else, so a process that takes the API server's port before kube-apiserver binds it
//! gets a refused handshake, not the admin token.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType,
};

use crate::Error;

/// The CA (its certificate only; its key is dropped once the serving certificate is signed) and
/// kube-apiserver's serving certificate and key.
pub(crate) struct Pki {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// The CA certificate, DER (for `kube::Config::root_cert`).
    pub ca_der: Vec<u8>,
    /// The serving certificate, PEM.
    pub serving_cert_pem: String,
    /// The serving certificate's private key, PEM.
    pub serving_key_pem: String,
}

fn tls_error(what: &'static str) -> impl FnOnce(rcgen::Error) -> Error {
    move |err| Error::Tls {
        what,
        message: err.to_string(),
    }
}

impl Pki {
    /// A new CA, and a serving certificate it signs for `127.0.0.1` and `localhost`.
    pub fn generate() -> Result<Self, Error> {
        let ca_key = KeyPair::generate().map_err(tls_error("generating the CA key"))?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(tls_error("describing the CA"))?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.distinguished_name.push(DnType::CommonName, "kube-envtest CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(tls_error("self-signing the CA"))?;
        let issuer = Issuer::new(ca, ca_key);

        let serving_key = KeyPair::generate().map_err(tls_error("generating the serving key"))?;
        let mut serving = CertificateParams::new(vec!["localhost".to_owned()])
            .map_err(tls_error("describing the serving certificate"))?;
        serving
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        serving.distinguished_name.push(DnType::CommonName, "kube-apiserver");
        serving.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let serving_cert = serving
            .signed_by(&serving_key, &issuer)
            .map_err(tls_error("signing the serving certificate"))?;
        Ok(Pki {
            ca_pem: ca_cert.pem(),
            ca_der: ca_cert.der().to_vec(),
            serving_cert_pem: serving_cert.pem(),
            serving_key_pem: serving_key.serialize_pem(),
        })
    }
}

/// Writes `contents` to `dir/name`, creating the file readable and writable by its owner only
/// (mode 0600 given at creation, so it is never readable by others, not even for a moment).
pub(crate) fn write_private(dir: &Path, name: &str, contents: &str) -> Result<(), Error> {
    let path = dir.join(name);
    let prepare = |source| Error::Prepare {
        what: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(prepare)?;
    file.write_all(contents.as_bytes()).map_err(prepare)
}

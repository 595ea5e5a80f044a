//! kube-envtest is secure by default: the admin client and the written kubeconfig trust the
//! control plane's own CA alone, so a server with another certificate (a local process that took
//! the API server's port first) is refused at the TLS handshake and never receives the admin
//! token; the folder is private (0700) and every secret in it is 0600.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::AsyncReadExt;

/// A TLS server on a free loopback port that serves `cert` and records every byte a client sends
/// once a handshake completes (a request line, headers, the bearer token).
struct StandIn {
    url: String,
    received: Arc<Mutex<Vec<u8>>>,
    handshakes: Arc<Mutex<usize>>,
}

impl StandIn {
    async fn start(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let handshakes = Arc::new(Mutex::new(0));
        let (r, h) = (received.clone(), handshakes.clone());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let (acceptor, r, h) = (acceptor.clone(), r.clone(), h.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    *h.lock().unwrap() += 1;
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = tls.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                });
            }
        });
        StandIn {
            url,
            received,
            handshakes,
        }
    }

    fn received(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }

    fn handshakes(&self) -> usize {
        *self.handshakes.lock().unwrap()
    }
}

fn der_key(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

/// A self-signed certificate for another name.
fn self_signed_for_another_name() -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["other.example".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    (cert.der().clone(), der_key(&key))
}

/// A certificate for the right names (`127.0.0.1`, `localhost`) from another CA.
fn right_names_other_ca() -> (CertificateDer<'static>, PrivateKeyDer<'static>, CertificateDer<'static>) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    (cert.der().clone(), der_key(&key), ca_cert.der().clone())
}

/// Sends one request with the admin client's configuration pointed at `url`.
async fn request_with(mut config: kube::Config, url: &str) -> Result<(), kube::Error> {
    config.cluster_url = url.parse().unwrap();
    let client = kube::Client::try_from(config)?;
    Api::<Namespace>::all(client).list(&Default::default()).await.map(drop)
}

/// The error and its sources, one after the other.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

fn token_of(config: &kube::Config) -> String {
    use secrecy::ExposeSecret;
    config
        .auth_info
        .token
        .as_ref()
        .map(|t| t.expose_secret().to_owned())
        .expect("the admin config carries a token")
}

#[tokio::test]
async fn a_server_with_another_certificate_is_refused_and_never_sees_the_token() {
    let control_plane = common::start().await;
    // The real server is trusted.
    Api::<Namespace>::all(control_plane.client())
        .get("default")
        .await
        .unwrap();
    let config = control_plane.client_config();
    let token = token_of(&config);

    let (cert, key) = self_signed_for_another_name();
    let other_name = StandIn::start(cert, key).await;
    let (cert, key, other_ca) = right_names_other_ca();
    let other_ca_server = StandIn::start(cert, key).await;

    for stand_in in [&other_name, &other_ca_server] {
        let err = request_with(config.clone(), &stand_in.url)
            .await
            .expect_err("the client must refuse a certificate its CA did not sign");
        let why = chain(&err);
        eprintln!("{}: refused: {why}", stand_in.url);
        assert!(
            why.contains("certificate"),
            "refused for another reason than the certificate: {why}"
        );
        // The kubeconfig is refused the same way.
        let path = control_plane.write_kubeconfig().unwrap();
        let mut kubeconfig = kube::config::Kubeconfig::read_from(&path).unwrap();
        for cluster in &mut kubeconfig.clusters {
            cluster.cluster.as_mut().unwrap().server = Some(stand_in.url.clone());
        }
        let from_file = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .unwrap();
        assert!(!from_file.accept_invalid_certs);
        let err = request_with(from_file, &stand_in.url)
            .await
            .expect_err("a client from the kubeconfig must refuse it too");
        assert!(chain(&err).contains("certificate"), "{}", chain(&err));
        assert_eq!(
            stand_in.handshakes(),
            0,
            "{}: a TLS session was established",
            stand_in.url
        );
        assert!(
            !stand_in.received().contains(&token),
            "{}: the stand-in received the admin token",
            stand_in.url
        );
    }

    // The stand-ins can catch a token: a client that trusts the other CA hands it over.
    // (The stand-in never answers, so the request is cut short once the token is in.)
    let mut trusting = config.clone();
    trusting.root_cert = Some(vec![other_ca.to_vec()]);
    let url = other_ca_server.url.clone();
    let request = tokio::spawn(async move { request_with(trusting, &url).await });
    common::eventually("the stand-in trusted by the client to receive the token", || {
        other_ca_server.received().contains(&token)
    })
    .await;
    request.abort();
    assert!(other_ca_server.handshakes() > 0);
}

#[tokio::test]
async fn the_folder_is_private_and_every_secret_is_0600() {
    let control_plane = common::start().await;
    let kubeconfig = control_plane.write_kubeconfig().unwrap();
    let dir = control_plane.dir();
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    for name in [
        "token.csv",
        "service-account.key",
        "service-account.pub",
        "apiserver.key",
        "apiserver.crt",
        "ca.crt",
        "kubeconfig",
    ] {
        let path = dir.join(name);
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    assert_eq!(kubeconfig, dir.join("kubeconfig"));
    let text = std::fs::read_to_string(&kubeconfig).unwrap();
    assert!(text.contains("certificate-authority-data"), "{text}");
    assert!(!text.contains("insecure-skip-tls-verify"), "{text}");
    // The kubeconfig's CA is the control plane's, and it reaches the real server.
    let config = kube::Config::from_custom_kubeconfig(
        kube::config::Kubeconfig::read_from(&kubeconfig).unwrap(),
        &Default::default(),
    )
    .await
    .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    Api::<Namespace>::all(client).get("default").await.unwrap();
}

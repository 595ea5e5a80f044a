//! [`ControlPlane`]: etcd plus kube-apiserver on loopback, and an admin client for them.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::Error;
use crate::binaries;
use crate::pki::{Pki, write_private};
use crate::process::Process;

const ETCD: &str = "etcd";
const KUBE_APISERVER: &str = "kube-apiserver";
/// How long etcd may take to answer `/health`.
const ETCD_TIMEOUT: Duration = Duration::from_secs(60);
/// How long kube-apiserver may take to be ready (it takes about 2 s on an idle machine; tests run
/// in parallel on busy CI machines).
const APISERVER_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a CustomResourceDefinition may take to be established and served.
const CRD_TIMEOUT: Duration = Duration::from_secs(60);
/// Pause between two readiness probes.
const POLL: Duration = Duration::from_millis(50);

/// A running etcd and kube-apiserver on loopback, with an admin [`kube::Client`].
///
/// Dropping it kills and reaps both processes (kube-apiserver first), then removes the temporary
/// folder that holds etcd's data, the certificates, the token file and the signing key. If the test
/// process itself is killed with `SIGKILL`, no destructor runs and the two processes stay behind.
///
/// Secure by default: the folder is created mode 0700 and every secret in it (the admin token
/// file, the service-account signing key, the serving key, a written kubeconfig) mode 0600, so
/// other local users read none of them. kube-apiserver serves a certificate signed by a CA
/// generated at start, and the admin client and the kubeconfig trust that CA alone: a process
/// that binds the API server's port first is refused at the TLS handshake and never sees the
/// admin token.
pub struct ControlPlane {
    // Field order is drop order: both processes are stopped before their folder is removed.
    apiserver: Process,
    etcd: Process,
    client: kube::Client,
    etcd_client: kube::Client,
    apiserver_path: PathBuf,
    apiserver_args: Vec<String>,
    apiserver_port: u16,
    etcd_port: u16,
    startup: Duration,
    token: String,
    /// The control plane's CA certificate, PEM and DER.
    ca_pem: String,
    ca_der: Vec<u8>,
    dir: TempDir,
}

impl std::fmt::Debug for ControlPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlPlane")
            .field("apiserver_url", &self.apiserver_url())
            .field("etcd_url", &self.etcd_url())
            .field("startup", &self.startup)
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

impl ControlPlane {
    /// Starts etcd and kube-apiserver on free loopback ports and waits until the API server is
    /// ready (`/readyz`) and the `default` namespace exists.
    ///
    /// Fails with [`Error::MissingBinary`], which says to run `cargo xtask control-plane`, when
    /// the binaries are not built.
    pub async fn start() -> Result<Self, Error> {
        Self::start_in(&binaries::bin_dir()?).await
    }

    /// [`ControlPlane::start`] with the binaries in `bin_dir` instead of the default folder.
    pub async fn start_in(bin_dir: &Path) -> Result<Self, Error> {
        let started = Instant::now();
        let etcd_path = binaries::find(bin_dir, ETCD)?;
        let apiserver_path = binaries::find(bin_dir, KUBE_APISERVER)?;
        let mut attempt = 1;
        loop {
            match Self::start_once(started, &etcd_path, &apiserver_path).await {
                // The free ports are released before the processes bind them; another process
                // may take one meanwhile. Fresh ports then.
                Err(Error::Exited { ref stderr, .. }) if attempt < 3 && stderr.contains("address already in use") => {
                    tracing::warn!(attempt, "a port was taken before the control plane bound it; retrying");
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn start_once(started: Instant, etcd_path: &Path, apiserver_path: &Path) -> Result<Self, Error> {
        let apiserver_path = apiserver_path.to_path_buf();
        let dir = tempfile::Builder::new()
            .prefix("kube-envtest-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .map_err(|source| prepare("a temporary folder", source))?;

        let [etcd_port, etcd_peer_port, apiserver_port] = free_ports()?;
        let etcd_args = etcd_args(dir.path(), etcd_port, etcd_peer_port);
        let mut etcd = Process::spawn(ETCD, etcd_path, &etcd_args, etcd_port, dir.path().join("etcd.log"))?;
        let etcd_client = http_client(&format!("http://127.0.0.1:{etcd_port}"))?;

        let token = random_token();
        write_private(
            dir.path(),
            "token.csv",
            &format!("{token},envtest-admin,envtest-admin,\"system:masters\"\n"),
        )?;
        let key = rcgen::KeyPair::generate().map_err(|err| Error::Key(err.to_string()))?;
        write_private(dir.path(), "service-account.key", &key.serialize_pem())?;
        // The key file takes public keys (a PKCS#8 private key is not read as one).
        write_private(dir.path(), "service-account.pub", &key.public_key_pem())?;
        let pki = Pki::generate()?;
        write_private(dir.path(), "ca.crt", &pki.ca_pem)?;
        write_private(dir.path(), "apiserver.crt", &pki.serving_cert_pem)?;
        write_private(dir.path(), "apiserver.key", &pki.serving_key_pem)?;
        let apiserver_args = apiserver_args(dir.path(), etcd_port, apiserver_port);

        wait_until(&mut etcd, ETCD_TIMEOUT, || probe(&etcd_client, "/health")).await?;
        let mut apiserver = Process::spawn(
            KUBE_APISERVER,
            &apiserver_path,
            &apiserver_args,
            apiserver_port,
            dir.path().join("kube-apiserver.log"),
        )?;
        let client = kube::Client::try_from(admin_config(apiserver_port, &token, &pki.ca_der)).map_err(|source| {
            Error::Client {
                url: format!("https://127.0.0.1:{apiserver_port}"),
                source,
            }
        })?;
        wait_until(&mut apiserver, APISERVER_TIMEOUT, || probe(&client, "/readyz")).await?;
        wait_until(&mut apiserver, APISERVER_TIMEOUT, || {
            probe(&client, "/api/v1/namespaces/default")
        })
        .await?;

        let startup = started.elapsed();
        tracing::info!(
            startup_ms = startup.as_millis() as u64,
            apiserver_port,
            etcd_port,
            "control plane (kube-apiserver {}, etcd {}) is ready",
            binaries::KUBERNETES_VERSION,
            binaries::ETCD_VERSION
        );
        Ok(ControlPlane {
            apiserver,
            etcd,
            token,
            client,
            etcd_client,
            apiserver_path,
            apiserver_args,
            apiserver_port,
            etcd_port,
            startup,
            ca_pem: pki.ca_pem,
            ca_der: pki.ca_der,
            dir,
        })
    }

    /// An admin client (group `system:masters`) of the API server. It trusts the control plane's
    /// own CA and no other (see [`client_config`](Self::client_config)). Clones share one
    /// connection pool.
    pub fn client(&self) -> kube::Client {
        self.client.clone()
    }

    /// The admin client's configuration: the API server's URL, the admin token, and the control
    /// plane's CA as the only trusted root (no `accept_invalid_certs`), for clients with other
    /// settings (timeouts, impersonation, another user agent).
    pub fn client_config(&self) -> kube::Config {
        admin_config(self.apiserver_port, &self.token, &self.ca_der)
    }

    /// The control plane's CA certificate (PEM), generated at start; it signed kube-apiserver's
    /// serving certificate for `127.0.0.1` and `localhost`.
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A kubeconfig (JSON, which kubeconfig readers take as YAML) for the admin user, for kubectl
    /// or programs that take `--kubeconfig`. Like [`client`](Self::client), it trusts the control
    /// plane's CA alone (`certificate-authority-data`). It holds the admin token: keep it private.
    pub fn kubeconfig(&self) -> String {
        use base64::Engine as _;
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "envtest", "cluster": {"server": self.apiserver_url(), "certificate-authority-data": ca}}],
            "users": [{"name": "envtest-admin", "user": {"token": self.token}}],
            "contexts": [{"name": "envtest", "context": {"cluster": "envtest", "user": "envtest-admin"}}],
            "current-context": "envtest",
        })
        .to_string()
    }

    /// Writes [`kubeconfig`](Self::kubeconfig) into the control plane's folder (removed on
    /// drop), readable by its owner only (mode 0600), and returns its path.
    pub fn write_kubeconfig(&self) -> Result<PathBuf, Error> {
        write_private(self.dir.path(), "kubeconfig", &self.kubeconfig())?;
        Ok(self.dir.path().join("kubeconfig"))
    }

    /// How long [`ControlPlane::start`] took, from finding the binaries to the `default`
    /// namespace existing.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The API server's URL, `https://127.0.0.1:<port>`.
    pub fn apiserver_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.apiserver_port)
    }

    /// etcd's client URL, `http://127.0.0.1:<port>`.
    pub fn etcd_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.etcd_port)
    }

    /// The process id of kube-apiserver, while it runs.
    pub fn apiserver_pid(&self) -> Option<u32> {
        self.apiserver.pid()
    }

    /// The process id of etcd, while it runs.
    pub fn etcd_pid(&self) -> Option<u32> {
        self.etcd.pid()
    }

    /// The temporary folder (mode 0700) that holds etcd's data, the logs and the credentials;
    /// removed on drop.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Kills kube-apiserver and starts it again on the same port against the same etcd, then
    /// waits until it is ready. Open watches break; objects and resourceVersions survive.
    ///
    /// The outage lasts as long as kube-apiserver takes to start, which depends on the machine;
    /// for an outage of a known length use [`ControlPlane::stop_apiserver`] and
    /// [`ControlPlane::start_apiserver`].
    pub async fn restart_apiserver(&mut self) -> Result<(), Error> {
        self.stop_apiserver();
        self.start_apiserver().await
    }

    /// Kills kube-apiserver (etcd keeps running): every request fails with a refused connection
    /// until [`ControlPlane::start_apiserver`]. Does nothing if it is already stopped.
    pub fn stop_apiserver(&mut self) {
        self.apiserver.stop();
        tracing::info!(port = self.apiserver_port, "kube-apiserver stopped");
    }

    /// Starts kube-apiserver again on the same port against the same etcd and waits until it is
    /// ready. Kills it first if it is running.
    pub async fn start_apiserver(&mut self) -> Result<(), Error> {
        self.apiserver.stop();
        self.apiserver = Process::spawn(
            KUBE_APISERVER,
            &self.apiserver_path,
            &self.apiserver_args,
            self.apiserver_port,
            self.dir.path().join("kube-apiserver.log"),
        )?;
        let client = self.client.clone();
        wait_until(&mut self.apiserver, APISERVER_TIMEOUT, || probe(&client, "/readyz")).await?;
        tracing::info!(port = self.apiserver_port, "kube-apiserver started");
        Ok(())
    }

    /// etcd's current revision (the newest resourceVersion of any object).
    pub async fn etcd_revision(&self) -> Result<i64, Error> {
        // Every key from "\0" on: the whole keyspace, counted only.
        let range = self
            .etcd_post(
                "/v3/kv/range",
                json!({ "key": "AA==", "range_end": "AA==", "count_only": true }),
            )
            .await?;
        range["header"]["revision"]
            .as_str()
            .and_then(|revision| revision.parse().ok())
            .or_else(|| range["header"]["revision"].as_i64())
            .ok_or_else(|| Error::Etcd {
                port: self.etcd_port,
                what: "range",
                message: format!("no header.revision in {range}"),
            })
    }

    /// Compacts etcd's history up to its current revision and returns that revision.
    ///
    /// kube-apiserver serves watches from its watch cache, which keeps its own history; to make a
    /// watch from an older resourceVersion fail with `410 Expired`, follow this with
    /// [`ControlPlane::restart_apiserver`]: the new watch cache starts at the compacted revision.
    pub async fn compact_etcd(&self) -> Result<i64, Error> {
        let revision = self.etcd_revision().await?;
        self.etcd_post(
            "/v3/kv/compaction",
            json!({ "revision": revision.to_string(), "physical": true }),
        )
        .await?;
        tracing::info!(revision, "etcd compacted");
        Ok(revision)
    }

    async fn etcd_post(&self, path: &'static str, body: Value) -> Result<Value, Error> {
        let etcd_error = |message: String| Error::Etcd {
            port: self.etcd_port,
            what: path,
            message,
        };
        let request = http::Request::post(path)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body.to_string().into_bytes())
            .map_err(|err| etcd_error(err.to_string()))?;
        let text = self
            .etcd_client
            .request_text(request)
            .await
            .map_err(|err| etcd_error(err.to_string()))?;
        serde_json::from_str(&text).map_err(|err| etcd_error(format!("{err}: {text}")))
    }

    /// Creates `crd` and waits until it is `Established` and its resource is served: listed in
    /// discovery and answering a list.
    pub async fn install_crd(&self, crd: &CustomResourceDefinition) -> Result<CustomResourceDefinition, Error> {
        let name = crd.metadata.name.clone().unwrap_or_default();
        let api: Api<CustomResourceDefinition> = Api::all(self.client.clone());
        api.create(&PostParams::default(), crd)
            .await
            .map_err(|source| Error::Kube {
                what: format!("creating CustomResourceDefinition {name}"),
                source,
            })?;

        let started = Instant::now();
        let established = loop {
            let current = api.get(&name).await.map_err(|source| Error::Kube {
                what: format!("reading CustomResourceDefinition {name}"),
                source,
            })?;
            let is_established = current
                .status
                .as_ref()
                .and_then(|status| status.conditions.as_ref())
                .is_some_and(|conditions| {
                    conditions
                        .iter()
                        .any(|condition| condition.type_ == "Established" && condition.status == "True")
                });
            if is_established {
                break current;
            }
            if started.elapsed() > CRD_TIMEOUT {
                return Err(Error::CrdNotReady {
                    name,
                    state: "Established",
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(POLL).await;
        };

        let group = &crd.spec.group;
        let plural = &crd.spec.names.plural;
        for version in crd.spec.versions.iter().filter(|version| version.served) {
            let discovery = format!("/apis/{group}/{}", version.name);
            let list = format!("{discovery}/{plural}?limit=1");
            loop {
                let served = match probe(&self.client, &discovery).await {
                    Ok(text) => serde_json::from_str::<Value>(&text).ok().is_some_and(|doc| {
                        doc["resources"]
                            .as_array()
                            .is_some_and(|resources| resources.iter().any(|r| r["name"] == plural.as_str()))
                    }),
                    Err(_) => false,
                };
                if served && probe(&self.client, &list).await.is_ok() {
                    break;
                }
                if started.elapsed() > CRD_TIMEOUT {
                    return Err(Error::CrdNotReady {
                        name,
                        state: "served (discovery)",
                        waited: started.elapsed(),
                    });
                }
                tokio::time::sleep(POLL).await;
            }
        }
        tracing::debug!(
            crd = name,
            waited_ms = started.elapsed().as_millis() as u64,
            "CRD established and served"
        );
        Ok(established)
    }

    /// [`ControlPlane::install_crd`] for the CRD of a kube-derive `#[derive(CustomResource)]` type.
    pub async fn install_crd_for<K: kube::CustomResourceExt>(&self) -> Result<CustomResourceDefinition, Error> {
        self.install_crd(&K::crd()).await
    }
}

fn prepare(what: &str, source: std::io::Error) -> Error {
    Error::Prepare {
        what: what.into(),
        source,
    }
}

/// Three distinct free loopback ports: all are bound at once so none is handed out twice.
fn free_ports() -> Result<[u16; 3], Error> {
    let bind = || TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(Error::Port);
    let listeners = [bind()?, bind()?, bind()?];
    let mut ports = [0; 3];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr().map_err(Error::Port)?.port();
    }
    Ok(ports)
}

/// A random admin token (std's `RandomState` is seeded from the OS; a test token needs no more).
fn random_token() -> String {
    (0..2)
        .map(|i| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(i);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

fn etcd_args(dir: &Path, client_port: u16, peer_port: u16) -> Vec<String> {
    let client = format!("http://127.0.0.1:{client_port}");
    let peer = format!("http://127.0.0.1:{peer_port}");
    vec![
        "--name=envtest".into(),
        format!("--data-dir={}", dir.join("etcd").display()),
        format!("--listen-client-urls={client}"),
        format!("--advertise-client-urls={client}"),
        format!("--listen-peer-urls={peer}"),
        format!("--initial-advertise-peer-urls={peer}"),
        format!("--initial-cluster=envtest={peer}"),
        "--unsafe-no-fsync".into(),
        "--log-level=warn".into(),
    ]
}

fn apiserver_args(dir: &Path, etcd_port: u16, port: u16) -> Vec<String> {
    let key = dir.join("service-account.key");
    vec![
        format!("--etcd-servers=http://127.0.0.1:{etcd_port}"),
        format!("--tls-cert-file={}", dir.join("apiserver.crt").display()),
        format!("--tls-private-key-file={}", dir.join("apiserver.key").display()),
        format!("--secure-port={port}"),
        "--bind-address=127.0.0.1".into(),
        // Without an advertise address kube-apiserver picks the machine's external address.
        "--advertise-address=127.0.0.1".into(),
        "--endpoint-reconciler-type=none".into(),
        "--service-cluster-ip-range=10.0.0.0/24".into(),
        "--allow-privileged=true".into(),
        // AlwaysAllow turns anonymous access off (401); RBAC plus a system:masters token is admin.
        "--authorization-mode=RBAC".into(),
        format!("--token-auth-file={}", dir.join("token.csv").display()),
        "--disable-admission-plugins=ServiceAccount".into(),
        format!(
            "--service-account-key-file={}",
            dir.join("service-account.pub").display()
        ),
        format!("--service-account-signing-key-file={}", key.display()),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
        "--profiling=false".into(),
    ]
}

/// The admin client's configuration: the token, and the control plane's CA as the only root.
fn admin_config(port: u16, token: &str, ca_der: &[u8]) -> kube::Config {
    let url = format!("https://127.0.0.1:{port}");
    let mut config = kube::Config::new(url.parse().expect("a valid URL"));
    config.root_cert = Some(vec![ca_der.to_vec()]);
    config.accept_invalid_certs = false;
    config.auth_info.token = Some(secrecy::SecretString::from(token.to_owned()));
    config.read_timeout = Some(Duration::from_secs(295));
    config
}

fn http_client(url: &str) -> Result<kube::Client, Error> {
    let config = kube::Config::new(url.parse().expect("a valid URL"));
    kube::Client::try_from(config).map_err(|source| Error::Client {
        url: url.into(),
        source,
    })
}

/// GET `path`; the body on a 2xx answer.
async fn probe(client: &kube::Client, path: &str) -> Result<String, String> {
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(|err| err.to_string())?;
    client.request_text(request).await.map_err(|err| err.to_string())
}

/// Polls `probe` until it succeeds, failing early when `process` exits.
async fn wait_until<F, Fut>(process: &mut Process, timeout: Duration, mut probe: F) -> Result<(), Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<String, String>>,
{
    let started = Instant::now();
    loop {
        process.check_running()?;
        let last_error = match tokio::time::timeout(Duration::from_secs(5), probe()).await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(err)) => err,
            Err(_) => "the probe timed out".into(),
        };
        if started.elapsed() > timeout {
            return Err(process.not_ready(started.elapsed(), last_error));
        }
        tokio::time::sleep(POLL).await;
    }
}

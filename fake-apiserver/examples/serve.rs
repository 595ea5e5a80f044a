//! Runs the fake API server until Ctrl-C, for poking it with kubectl or any client:
//! `cargo run -p kube-fake-apiserver --example serve -- [KUBECONFIG_PATH]` writes a kubeconfig
//! naming the server (default `./fake.kubeconfig`, mode 0600) and prints the server's URL.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "fake.kubeconfig".to_owned());
    let server = kube_fake_apiserver::FakeApiServer::start().await?;
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake", "cluster": {"server": server.url()}}],
        "users": [{"name": "fake", "user": {}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
        "current-context": "fake",
    });
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)?
        .write_all(kubeconfig.to_string().as_bytes())?;
    println!("fake API server at {}; KUBECONFIG={path}", server.url());
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}

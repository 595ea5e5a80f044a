//! Runs etcd + kube-apiserver until Ctrl-C, for poking the real server with kubectl beside the
//! fake: `cargo run -p kube-envtest --example serve` prints the kubeconfig's path (0600, in the
//! control plane's own 0700 folder, removed at exit).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let control_plane = kube_envtest::ControlPlane::start().await?;
    let path = control_plane.write_kubeconfig()?;
    println!("kube-apiserver ready; KUBECONFIG={}", path.display());
    tokio::signal::ctrl_c().await?;
    drop(control_plane);
    Ok(())
}

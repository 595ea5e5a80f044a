
#[derive(kube_scheme::Kind)]
#[kind(group = "stable.example.com", version = "v1", kind = "CronTab", namespaced)]
pub struct CronTab {
    pub spec: String,
}

fn main() {}

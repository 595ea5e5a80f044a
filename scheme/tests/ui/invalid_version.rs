use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

#[derive(kube_scheme::Kind)]
#[kind(group = "stable.example.com", version = "V1.0", kind = "CronTab", namespaced)]
pub struct CronTab {
    pub metadata: ObjectMeta,
}

fn main() {}

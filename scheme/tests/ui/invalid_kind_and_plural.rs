use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

#[derive(kube_scheme::Kind)]
#[kind(group = "stable.example.com", version = "v1", kind = "cron-tab", plural = "Cron_Tabs", namespaced)]
pub struct CronTab {
    pub metadata: ObjectMeta,
}

fn main() {}

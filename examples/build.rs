//! Typed informers for every built-in kind of the enabled k8s-openapi version.

fn main() {
    kube_informer_gen::Config::new().builtins_all().generate().unwrap();
}

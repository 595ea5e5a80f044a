//! Generates typed informers for every built-in of the enabled k8s-openapi version and for the
//! fixture custom resources, exactly as a user's crate would.

fn main() {
    kube_informer_gen::Config::new()
        .builtins_all()
        .scan("../fixtures/crds/src")
        .generate()
        .unwrap();
}

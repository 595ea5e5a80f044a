//! Generates typed informers for every built-in of the enabled k8s-openapi version and for the
//! crate's own custom resources (the fixtures it mounts as modules), exactly as a user's crate
//! would: the README's one line.

fn main() {
    kube_informer_gen::Config::new()
        .builtins_all()
        .scan("src")
        .generate()
        .unwrap();
}

//! Restoring 100,000 items, next to a baseline that only assigns two pre-built strings per item.
//!
//! `cargo bench -p kube-scheme --bench restore`. The target: restore within 1.5x of the baseline.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use kube_core::{DynamicObject, ObjectList, TypeMeta};
use kube_scheme::Scheme;
use serde_json::{Value, json};

const N: usize = 100_000;

fn json_list() -> Value {
    let items: Vec<Value> = (0..N)
        .map(|i| {
            json!({
                "metadata": {"name": format!("pod-{i}"), "namespace": format!("ns-{}", i % 100), "resourceVersion": i.to_string(),
                             "labels": {"app": "web", "tier": "frontend"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}], "nodeName": "node-1"},
                "status": {"phase": "Running"}
            })
        })
        .collect();
    json!({"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "1"}, "items": items})
}

fn bench(c: &mut Criterion) {
    let scheme = Scheme::with_builtins();
    let json = json_list();
    let dynamic: ObjectList<DynamicObject> = serde_json::from_value(json.clone()).unwrap();
    assert!(dynamic.items.iter().all(|i| i.types.is_none()));

    let mut group = c.benchmark_group("restore_100k");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(20);

    group.bench_function("dynamic/baseline_assign", |b| {
        let (api_version, kind) = ("v1".to_owned(), "Pod".to_owned());
        b.iter_batched_ref(
            || dynamic.clone(),
            |list| {
                for item in &mut list.items {
                    item.types = Some(TypeMeta {
                        api_version: api_version.clone(),
                        kind: kind.clone(),
                    });
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("dynamic/restore_list", |b| {
        b.iter_batched_ref(
            || dynamic.clone(),
            |list| scheme.restore_list(list).unwrap(),
            BatchSize::LargeInput,
        )
    });

    group.bench_function("json/baseline_assign", |b| {
        let (api_version, kind) = (Value::String("v1".into()), Value::String("Pod".into()));
        b.iter_batched_ref(
            || json.clone(),
            |list| {
                for item in list["items"].as_array_mut().unwrap() {
                    let map = item.as_object_mut().unwrap();
                    map.insert("apiVersion".to_owned(), api_version.clone());
                    map.insert("kind".to_owned(), kind.clone());
                }
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("json/restore_list", |b| {
        b.iter_batched_ref(
            || json.clone(),
            |list| scheme.restore_list(list).unwrap(),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

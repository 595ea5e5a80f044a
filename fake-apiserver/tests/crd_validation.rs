//! Custom resources validated by their CRD's schema as kube-apiserver validates them: the table in
//! `data/crd-validation.json` (one CRD whose schema uses every keyword structural schemas allow
//! and `x-kubernetes-validations` CEL rules, and cases that create, update, patch by merge and
//! JSON patch, apply, and write the `status` subresource) is sent to the fake and to the real
//! kube-apiserver (kube-envtest), and each case must get the same answer: the stored spec and
//! status, or the same code, reason, message and details (field paths, `Invalid value`,
//! `Unsupported value` wording, in the same order).
//!
//! Needs the control plane (`cargo xtask control-plane`).

use serde_json::{Value, json};

const TABLE: &str = include_str!("data/crd-validation.json");

/// Cases whose answers differ, with the reason (none: the list is there so that a difference
/// found later is written down, not left out of the table).
const DIFFERENCES: [(&str, &str); 0] = [];

async fn send(
    client: &kube::Client,
    method: &str,
    path: &str,
    content_type: &str,
    body: &Value,
) -> Result<Value, Value> {
    let request = http::Request::builder()
        .method(method)
        .uri(path)
        .header("Content-Type", content_type)
        .body(if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(body).unwrap()
        })
        .unwrap();
    match client.request_text(request).await {
        Ok(text) => Ok(serde_json::from_str(&text).unwrap()),
        Err(kube::Error::Api(status)) => Err(json!({"code": status.code, "reason": status.reason,
            "message": status.message, "details": status.details})),
        Err(other) => panic!("{method} {path}: {other}"),
    }
}

/// `answer` with its causes sorted, and the message's list of causes (built from the causes in
/// their order) rebuilt from the sorted ones: kube-apiserver lists the causes of sibling fields
/// in Go's random map order, so two answers that differ only in that order compare equal.
fn sibling_order_ignored(answer: &Value) -> Value {
    let mut answer = answer.clone();
    let Some(causes) = answer.pointer("/details/causes").and_then(Value::as_array).cloned() else {
        return answer;
    };
    let text = |causes: &[Value]| {
        let mut seen: Vec<String> = Vec::new();
        for c in causes {
            let line = format!(
                "{}: {}",
                c["field"].as_str().unwrap_or_default(),
                c["message"].as_str().unwrap_or_default()
            );
            if !seen.contains(&line) {
                seen.push(line);
            }
        }
        seen.join(", ")
    };
    let mut sorted = causes.clone();
    sorted.sort_by_key(|c| {
        (
            c["field"].to_string(),
            c["message"].to_string(),
            c["reason"].to_string(),
        )
    });
    let message = answer["message"].as_str().unwrap_or_default().to_owned();
    let listed = format!("[{}]", text(&causes));
    if let Some(prefix) = message.strip_suffix(&listed) {
        answer["message"] = json!(format!("{prefix}[{}]", text(&sorted)));
    }
    answer["details"]["causes"] = json!(sorted);
    answer
}

async fn until_served(client: &kube::Client, path: &str) {
    for _ in 0..100 {
        if send(client, "GET", path, "application/json", &Value::Null)
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{path} is not served after 10 s");
}

/// One case on one server: its answer (the object's spec and status, or the error).
async fn run_case(client: &kube::Client, base: &Value, case: &Value, index: usize) -> Value {
    let collection = "/apis/validation.example.com/v1/namespaces/default/checks";
    let name = format!("check-{index}");
    let path = format!("{collection}/{name}");
    let object = |spec: &Value| {
        json!({"apiVersion": "validation.example.com/v1", "kind": "Check",
               "metadata": {"name": name, "namespace": "default"}, "spec": spec})
    };
    let json_type = "application/json";
    let op = case["op"].as_str().unwrap();
    if !matches!(op, "create" | "create-raw" | "apply") {
        send(client, "POST", collection, json_type, &object(base))
            .await
            .unwrap();
    }
    let answer = match op {
        "create" => send(client, "POST", collection, json_type, &object(&case["spec"])).await,
        "create-raw" => send(client, "POST", collection, json_type, &case["body"]).await,
        "update" | "status" => {
            let mut current = send(client, "GET", &path, json_type, &Value::Null).await.unwrap();
            let target = if op == "update" {
                current["spec"] = case["spec"].clone();
                path.clone()
            } else {
                current["status"] = case["status"].clone();
                format!("{path}/status")
            };
            send(client, "PUT", &target, json_type, &current).await
        }
        "merge" => send(client, "PATCH", &path, "application/merge-patch+json", &case["patch"]).await,
        "status-merge" => {
            send(
                client,
                "PATCH",
                &format!("{path}/status"),
                "application/merge-patch+json",
                &case["patch"],
            )
            .await
        }
        "json" => send(client, "PATCH", &path, "application/json-patch+json", &case["patch"]).await,
        "apply" => {
            send(
                client,
                "PATCH",
                &format!("{path}?fieldManager=table"),
                "application/apply-patch+yaml",
                &object(&case["spec"]),
            )
            .await
        }
        other => panic!("unknown op {other}"),
    };
    let _ = send(client, "DELETE", &path, json_type, &Value::Null).await;
    let _ = send(client, "DELETE", &format!("{collection}/raw"), json_type, &Value::Null).await;
    match answer {
        Ok(object) => json!({"spec": object["spec"], "status": object["status"]}),
        Err(error) => error,
    }
}

#[tokio::test]
async fn custom_resources_are_validated_as_on_the_real_server() {
    let table: Value = serde_json::from_str(TABLE).unwrap();
    let real = kube_envtest::ControlPlane::start()
        .await
        .expect("the real control plane starts (build it with `cargo xtask control-plane`)");
    let fake = kube_fake_apiserver::FakeApiServer::start().await.unwrap();
    let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    let cases = table["cases"].as_array().unwrap();
    let mut answers = Vec::new();
    for client in [real.client(), fake.client().unwrap()] {
        send(&client, "POST", crds, "application/json", &table["crd"])
            .await
            .unwrap();
        until_served(&client, "/apis/validation.example.com/v1/namespaces/default/checks").await;
        let mut these = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            these.push(run_case(&client, &table["base"], case, i).await);
        }
        answers.push(these);
    }
    let (on_real, on_fake) = (&answers[0], &answers[1]);
    // Both servers' answers, case by case, for inspection.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("crd-validation");
    std::fs::create_dir_all(&out).unwrap();
    for (label, these) in [("real", on_real), ("fake", on_fake)] {
        let named: Vec<Value> = cases
            .iter()
            .zip(these)
            .map(|(case, answer)| json!({"name": case["name"], "answer": answer}))
            .collect();
        std::fs::write(
            out.join(format!("{label}.json")),
            serde_json::to_string_pretty(&named).unwrap(),
        )
        .unwrap();
    }
    let mut wrong = Vec::new();
    let (mut accepted, mut refused, mut reordered) = (0, 0, 0);
    for (i, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap();
        if on_real[i].get("code").is_some() {
            refused += 1;
        } else {
            accepted += 1;
        }
        let known = DIFFERENCES.iter().any(|(n, _)| *n == name);
        let same = on_fake[i] == on_real[i] || {
            let same = sibling_order_ignored(&on_fake[i]) == sibling_order_ignored(&on_real[i]);
            reordered += usize::from(same);
            same
        };
        if same == known {
            wrong.push(format!(
                "{name}{}:\n  fake {}\n  real {}",
                if known {
                    " (listed as a difference, but the same now)"
                } else {
                    ""
                },
                on_fake[i],
                on_real[i]
            ));
        }
    }
    eprintln!(
        "CR validation table: {} cases, {accepted} accepted and {refused} refused by the real server; \
         {reordered} the same but for the order of causes on sibling fields",
        cases.len()
    );
    assert!(
        wrong.is_empty(),
        "{} of {} cases are not as expected:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
    assert!(accepted >= 5 && refused >= 30, "the table must exercise both outcomes");
    fake.shutdown().await;
}

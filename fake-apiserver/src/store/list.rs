//! Lists: the objects of a resource in key order, filtered by selectors, and pagination with
//! continue tokens over a consistent snapshot (kept for the last few lists), as the real server's
//! etcd-backed lists are consistent at one resourceVersion.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Key, Served, Store, parse_rv};
use crate::selectors::FieldSelector;
use crate::status::ApiError;
use kube_scheme::labels::LabelSelector;

/// A consistent list snapshot behind a continue token.
pub(super) struct Snapshot {
    id: u64,
    rv: u64,
    items: Arc<Vec<Arc<Value>>>,
}

const SNAPSHOTS: usize = 32;

/// List parameters after parsing.
pub(crate) struct ListQuery {
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
    pub resource_version_match: Option<String>,
}

pub(crate) struct ListResult {
    pub items: Vec<Arc<Value>>,
    pub rv: u64,
    pub continue_token: Option<String>,
    pub remaining: Option<usize>,
}

impl Store {
    /// The objects a list returns, in key order, with consistent pagination.
    pub fn list(&mut self, served: &Served, query: &ListQuery) -> Result<ListResult, ApiError> {
        let (snapshot_rv, items, offset) = match &query.continue_token {
            Some(token) => {
                let (id, offset) = decode_continue(token)?;
                let Some(snapshot) = self.snapshots.iter().find(|s| s.id == id) else {
                    return Err(ApiError::expired(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
                    ));
                };
                (snapshot.rv, snapshot.items.clone(), offset)
            }
            None => {
                if let Some(rv) = query.resource_version.as_deref().filter(|r| !r.is_empty() && *r != "0") {
                    let rv = parse_rv(rv)?;
                    if rv > self.rv {
                        return Err(ApiError::new(
                            504,
                            "Timeout",
                            format!("Too large resource version: {rv}, current: {}", self.rv),
                        ));
                    }
                    if query.resource_version_match.as_deref() == Some("Exact") && rv != self.rv {
                        // Only the newest state is kept: an older exact version is gone.
                        return Err(ApiError::too_old_resource_version(rv, self.rv));
                    }
                }
                let items: Vec<Arc<Value>> = self
                    .objects
                    .get(&served.storage())
                    .map(|table| {
                        let range: Box<dyn Iterator<Item = (&Key, &Arc<Value>)>> = match &query.namespace {
                            Some(ns) => Box::new(
                                table
                                    .range((ns.clone(), String::new())..)
                                    .take_while(move |(k, _)| &k.0 == ns),
                            ),
                            None => Box::new(table.iter()),
                        };
                        range
                            .filter(|(_, o)| query.labels.matches_json(o) && query.fields.matches(o))
                            .map(|(_, o)| served.present(o))
                            .collect()
                    })
                    .unwrap_or_default();
                (self.rv, Arc::new(items), 0)
            }
        };
        let limit = query.limit.filter(|l| *l > 0);
        let end = limit.map_or(items.len(), |l| (offset + l).min(items.len()));
        let page: Vec<Arc<Value>> = items.get(offset..end).map(<[_]>::to_vec).unwrap_or_default();
        let (continue_token, remaining) = if end < items.len() {
            let id = match &query.continue_token {
                Some(token) => decode_continue(token)?.0,
                None => {
                    let id = self.next_id;
                    self.next_id += 1;
                    self.snapshots.push_back(Snapshot {
                        id,
                        rv: snapshot_rv,
                        items: items.clone(),
                    });
                    while self.snapshots.len() > SNAPSHOTS {
                        self.snapshots.pop_front();
                    }
                    id
                }
            };
            (Some(encode_continue(id, end, snapshot_rv)), Some(items.len() - end))
        } else {
            (None, None)
        };
        Ok(ListResult {
            items: page,
            rv: snapshot_rv,
            continue_token,
            remaining,
        })
    }
}

fn encode_continue(id: u64, offset: usize, rv: u64) -> String {
    use base64::Engine;
    let token = json!({"v": "meta.k8s.io/v1", "rv": rv, "start": format!("{id}:{offset}")});
    base64::engine::general_purpose::STANDARD.encode(token.to_string())
}

fn decode_continue(token: &str) -> Result<(u64, usize), ApiError> {
    use base64::Engine;
    let bad = || ApiError::bad_request(format!("invalid continue token: {token:?}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| bad())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let start = value.get("start").and_then(Value::as_str).ok_or_else(bad)?;
    let (id, offset) = start.split_once(':').ok_or_else(bad)?;
    Ok((id.parse().map_err(|_| bad())?, offset.parse().map_err(|_| bad())?))
}

"""Writes the server table (fake-apiserver/tests/data/json-patch-cases.json) and the module's inline
test cases (inline.jsonl) from cases.py and the Go oracle's results.jsonl."""
import json
import os

from cases import cases

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")

results = {}
for line in open(os.path.join(HERE, "results.jsonl"), "rb"):
    try:
        r = json.loads(line.decode("utf-8", "replace"))
    except RecursionError:  # the deep nesting cases, tested by hand-written tests
        continue
    results[r.pop("name")] = r

# Where the module knowingly differs from the library; the value is what the module answers.
DEVIATIONS = {
    "ignore: value with huge number": (
        {"error": "decode", "message": "error decoding patch: json: cannot unmarshal number 1e400 into Go struct field "
                                       "jsonPatchOp.value of type float64"},
        "Go answers ok, keeping the text 1e400, which a serde_json Value cannot hold; the module answers as Warn does"),
}

def dump(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))

table, inline = [], []
for c in cases:
    if c["name"] not in results:
        continue
    want = results[c["name"]]
    entry = {"name": c["name"]}
    if c["patch"] is not None or c["body"] == "null":
        entry["patch"] = c["patch"]
    else:
        entry["body"] = c["body"]
    if c["note"]:
        entry["note"] = c["note"]
    if c["table"] and want.get("error") != "panic":
        entry["evanphx"] = want
        table.append(entry)
    elif c["inline"]:
        entry = {"name": c["name"], "doc": c["doc"], "validation": c["validation"], **{k: v for k, v in entry.items() if k != "name"}}
        if c["name"] in DEVIATIONS:
            entry["want"], entry["deviation"] = DEVIATIONS[c["name"]]
        else:
            entry["want"] = want
        inline.append(entry)

def qualified(v):
    """Finalizer names with a domain, which kube-apiserver's metadata validation requires of
    built-ins: the table's finalizer cases then show the patch's semantics, not that rule
    (`copy label into finalizers` keeps an unqualified one on purpose)."""
    if isinstance(v, str) and "/" not in v:
        return "example.com/" + v
    if isinstance(v, list):
        return [qualified(x) for x in v]
    return v


for entry in table:
    for op in entry.get("patch") or []:
        if isinstance(op, dict) and str(op.get("path", "")).startswith("/metadata/finalizers") and "value" in op:
            op["value"] = qualified(op["value"])
    ok = entry.get("evanphx", {}).get("ok")
    if isinstance(ok, dict) and "finalizers" in ok.get("metadata", {}):
        f = ok["metadata"]["finalizers"]
        ok["metadata"]["finalizers"] = (
            [qualified(f[0]), qualified(f[1]), f[2]] if entry["name"] == "copy label into finalizers" else qualified(f)
        )

with open(os.path.join(ROOT, "fake-apiserver", "tests", "data", "json-patch-cases.json"), "w") as f:
    f.write("[\n" + ",\n".join("  " + dump(e) for e in table) + "\n]\n")
with open(os.path.join(HERE, "inline.jsonl"), "w") as f:
    f.write("".join(dump(e) + "\n" for e in inline))
print(len(table), "table cases,", len(inline), "inline cases,", sum(not c["inline"] for c in cases), "big cases")

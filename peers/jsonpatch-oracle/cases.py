"""The case table: JSON-patch cases run through the Go oracle and the Rust module.

Each case: name, doc ("configmap" | "deployment" | a dict), patch (a JSON value, or raw= a string body),
validation (Warn by default, the kube-apiserver default), table (True: goes to
fake-apiserver/tests/data/json-patch-cases.json, applies to the ConfigMap), note (why it is in the table
although the server answers more than the patch result, e.g. validation).
"""
import os
import json

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "patched", "namespace": "default",
                          "labels": {"app": "a", "a/b": "x", "m~n": "y"}, "annotations": {"note": "n"}},
             "data": {"a": "1", "b": "2"}}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                           "finalizers": ["a", "b"]},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [
                                        {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                                         "env": [{"name": "A", "value": "1"}]},
                                        {"name": "sidecar", "image": "busybox"}]}}}}
HTML = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "html", "annotations": {"h": "a<b&c>d"}},
        "data": {"u": "\u2028", "ctl": "\b\f\n\u0001", "e": "é"}}

cases = []


def case(name, patch=None, raw=None, doc="configmap", validation="Warn", table=None, note=None, inline=True):
    if table is None:
        table = doc == "configmap" and validation == "Warn" and raw is None and inline
    body = raw if raw is not None else json.dumps(patch, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    cases.append({"name": name, "doc": doc, "patch": patch, "body": body, "validation": validation,
                  "table": table, "note": note, "inline": inline})


M = "the fixture's m~n label key is one the real server refuses (422 Invalid when creating the ConfigMap)"
F = "/metadata/finalizers"
def fin(*ops):
    """ops after giving the ConfigMap finalizers [a, b]."""
    return [{"op": "add", "path": F, "value": ["a", "b"]}] + list(ops)

# --- add, remove, replace on maps
case("add label", [{"op": "add", "path": "/metadata/labels/new", "value": "v"}])
case("add label over existing", [{"op": "add", "path": "/metadata/labels/app", "value": "b"}])
case("add data key", [{"op": "add", "path": "/data/c", "value": "3"}])
case("add annotations map whole", [{"op": "add", "path": "/metadata/annotations", "value": {"x": "1"}}])
case("add without value is null", [{"op": "add", "path": "/metadata/labels/nv"}])
case("add with null value", [{"op": "add", "path": "/metadata/labels/nv", "value": None}])
case("add missing parent", [{"op": "add", "path": "/spec/replicas", "value": 1}])
case("add missing grandparent", [{"op": "add", "path": "/metadata/ownerReferences/0/name", "value": "x"}])
case("add at root", [{"op": "add", "path": "", "value": {"a": 1}}])
case("add through a string", [{"op": "add", "path": "/data/a/x", "value": "1"}])
case("remove label", [{"op": "remove", "path": "/metadata/labels/app"}])
case("remove data key", [{"op": "remove", "path": "/data/b"}])
case("remove missing label", [{"op": "remove", "path": "/metadata/labels/nope"}])
case("remove missing parent", [{"op": "remove", "path": "/metadata/finalizers/0"}])
case("remove whole labels", [{"op": "remove", "path": "/metadata/labels"}])
case("remove root", [{"op": "remove", "path": ""}])
case("replace label", [{"op": "replace", "path": "/metadata/labels/app", "value": "b"}])
case("replace missing label adds it", [{"op": "replace", "path": "/metadata/labels/nope", "value": "z"}])
case("replace missing parent", [{"op": "replace", "path": "/spec/x", "value": "z"}])
case("replace without value is null", [{"op": "replace", "path": "/data/a"}])
case("replace data map", [{"op": "replace", "path": "/data", "value": {"z": "26"}}])
# --- escaping (RFC 6901)
case("add escaped slash key", [{"op": "add", "path": "/metadata/labels/a~1b", "value": "z"}])
case("remove escaped tilde key", [{"op": "remove", "path": "/metadata/labels/m~0n"}], note=M)
case("test escaped keys", [{"op": "test", "path": "/metadata/labels/a~1b", "value": "x"},
                           {"op": "test", "path": "/metadata/labels/m~0n", "value": "y"},
                           {"op": "add", "path": "/data/t", "value": "ok"}], note=M)
case("escape ~01 is ~1", [{"op": "add", "path": "/metadata/annotations/x~01", "value": "v"}],
     note="the server then refuses the annotation key x~1 (422 Invalid)")
case("escaped tilde key for the patch only", [{"op": "add", "path": "/metadata/labels/p~0q", "value": "v"},
                                              {"op": "test", "path": "/metadata/labels/p~0q", "value": "v"},
                                              {"op": "remove", "path": "/metadata/labels/p~0q"}])
case("escaped slash key in annotations", [{"op": "add", "path": "/metadata/annotations/x~1y", "value": "v"}])
case("unescaped slash goes deeper", [{"op": "add", "path": "/metadata/labels/a/b", "value": "v"}])
case("lone tilde kept", [{"op": "add", "path": "/metadata/annotations/t~", "value": "v"}],
     note="the server then refuses the annotation key t~ (422 Invalid)")
case("empty key", [{"op": "add", "path": "/metadata/annotations/", "value": "v"}],
     note="the server then refuses the empty annotation key (422 Invalid)")
# --- test
case("kube-runtime finalizer add", [{"op": "test", "path": F, "value": None},
                                     {"op": "add", "path": F, "value": ["x"]}])
case("test missing without value", [{"op": "test", "path": F}, {"op": "add", "path": "/data/t", "value": "ok"}])
case("test missing against value", [{"op": "test", "path": F, "value": ["x"]}])
case("test missing label null", [{"op": "test", "path": "/metadata/labels/nope", "value": None},
                                 {"op": "add", "path": "/data/t", "value": "ok"}])
case("test missing parent", [{"op": "test", "path": "/spec/x", "value": None}])
case("test present against null", [{"op": "test", "path": "/metadata/labels/app", "value": None}])
case("test present without value", [{"op": "test", "path": "/metadata/labels/app"}])
case("test label value", [{"op": "test", "path": "/metadata/labels/app", "value": "a"},
                          {"op": "replace", "path": "/metadata/labels/app", "value": "b"}])
case("test label wrong value", [{"op": "test", "path": "/metadata/labels/app", "value": "b"}])
case("test map any key order", [{"op": "test", "path": "/metadata/labels", "value": {"m~n": "y", "app": "a", "a/b": "x"}},
                                {"op": "add", "path": "/data/t", "value": "ok"}], note=M)
case("test map subset fails", [{"op": "test", "path": "/metadata/labels", "value": {"app": "a"}}])
case("test string against number", [{"op": "test", "path": "/data/a", "value": 1}])
case("test escaped string text differs", raw='[{"op":"test","path":"/data/a","value":"\\u0031"}]', table=True)
case("test string with spaces around", raw='[{"op":"test","path":"/data/a","value" :  "1" },{"op":"add","path":"/data/t","value":"ok"}]', table=True)
case("test number text 1.0 vs 1", [{"op": "add", "path": "/metadata/annotations/n", "value": 1.0},
                                   {"op": "test", "path": "/metadata/annotations/n", "value": 1}])
case("test number same text", [{"op": "add", "path": "/metadata/annotations/n", "value": 1},
                               {"op": "test", "path": "/metadata/annotations/n", "value": 1},
                               {"op": "replace", "path": "/metadata/annotations/n", "value": "1"}])
case("test null added then null", [{"op": "add", "path": "/data/z", "value": None},
                                   {"op": "test", "path": "/data/z", "value": None},
                                   {"op": "remove", "path": "/data/z"}])
case("test object with added null member", [{"op": "add", "path": "/data/z", "value": None},
                                            {"op": "test", "path": "/data", "value": {"a": "1", "b": "2", "z": None}}])
case("test root against null", [{"op": "test", "path": "", "value": None}])
case("test root against array", [{"op": "test", "path": "", "value": []}])
case("test after add in same patch", [{"op": "add", "path": "/data/h", "value": "<&>"},
                                      {"op": "test", "path": "/data/h", "value": "<&>"}])
case("test after copy html-escapes", [{"op": "add", "path": "/data/h", "value": "<&>"},
                                      {"op": "copy", "from": "/data/h", "path": "/data/h2"},
                                      {"op": "test", "path": "/data/h2", "value": "<&>"}])
# --- arrays (finalizers)
case("add finalizers", fin())
case("add finalizer at index", fin({"op": "add", "path": F + "/1", "value": "c"}))
case("add finalizer at 0", fin({"op": "add", "path": F + "/0", "value": "c"}))
case("add finalizer dash appends", fin({"op": "add", "path": F + "/-", "value": "c"}))
case("add finalizer at len appends", fin({"op": "add", "path": F + "/2", "value": "c"}))
case("add finalizer past len", fin({"op": "add", "path": F + "/3", "value": "c"}))
case("add finalizer -1 appends", fin({"op": "add", "path": F + "/-1", "value": "c"}))
case("add finalizer -3 prepends", fin({"op": "add", "path": F + "/-3", "value": "c"}))
case("add finalizer -4 out of range", fin({"op": "add", "path": F + "/-4", "value": "c"}))
case("add finalizer leading zero", fin({"op": "add", "path": F + "/01", "value": "c"}))
case("add finalizer plus sign", fin({"op": "add", "path": F + "/+1", "value": "c"}))
case("add finalizer bad index", fin({"op": "add", "path": F + "/x", "value": "c"}))
case("add finalizer huge index", fin({"op": "add", "path": F + "/99999999999999999999", "value": "c"}))
case("add to missing finalizers dash", [{"op": "add", "path": F + "/-", "value": "c"}])
case("remove finalizer 0", fin({"op": "remove", "path": F + "/0"}))
case("remove finalizer -1", fin({"op": "remove", "path": F + "/-1"}))
case("remove finalizer -3", fin({"op": "remove", "path": F + "/-3"}))
case("remove finalizer out of range", fin({"op": "remove", "path": F + "/2"}))
case("remove finalizer dash", fin({"op": "remove", "path": F + "/-"}))
case("replace finalizer 1", fin({"op": "replace", "path": F + "/1", "value": "c"}))
case("replace finalizer -2", fin({"op": "replace", "path": F + "/-2", "value": "c"}))
case("replace finalizer out of range", fin({"op": "replace", "path": F + "/5", "value": "c"}))
case("replace finalizer dash", fin({"op": "replace", "path": F + "/-", "value": "c"}))
case("test finalizer index", fin({"op": "test", "path": F + "/0", "value": "a"}, {"op": "test", "path": F + "/-1", "value": "b"}))
case("test finalizer out of range", fin({"op": "test", "path": F + "/9", "value": "a"}))
case("test finalizers whole", fin({"op": "test", "path": F, "value": ["a", "b"]}, {"op": "add", "path": "/data/t", "value": "ok"}))
case("test finalizers order matters", fin({"op": "test", "path": F, "value": ["b", "a"]}))
case("test finalizers with null element", fin({"op": "test", "path": F, "value": ["a", None]}), table=False)
case("remove all finalizers", fin({"op": "remove", "path": F}))
# --- move, copy
case("move data key", [{"op": "move", "from": "/data/a", "path": "/data/c"}])
case("move data key over existing", [{"op": "move", "from": "/data/a", "path": "/data/b"}])
case("move label to annotation", [{"op": "move", "from": "/metadata/labels/app", "path": "/metadata/annotations/app"}])
case("move to itself", [{"op": "move", "from": "/data/a", "path": "/data/a"}])
case("move missing from", [{"op": "move", "from": "/data/zz", "path": "/data/c"}])
case("move from missing parent", [{"op": "move", "from": "/spec/zz", "path": "/data/c"}])
case("move to missing parent", [{"op": "move", "from": "/data/a", "path": "/spec/c"}])
case("move into own child", [{"op": "move", "from": "/data", "path": "/data/x"}])
case("move without from", [{"op": "move", "path": "/data/c"}])
case("move without path", [{"op": "move", "from": "/data/a"}])
case("move finalizer to end", fin({"op": "move", "from": F + "/0", "path": F + "/-"}))
case("move finalizer out of range", fin({"op": "move", "from": F + "/7", "path": F + "/0"}))
case("copy data key", [{"op": "copy", "from": "/data/a", "path": "/data/c"}])
case("copy label to annotation", [{"op": "copy", "from": "/metadata/labels/app", "path": "/metadata/annotations/app"}])
case("copy missing key gives null", [{"op": "copy", "from": "/data/zz", "path": "/data/c"}],
     note="null in data; the server stores it as an empty string")
case("copy from missing parent", [{"op": "copy", "from": "/spec/zz", "path": "/data/c"}])
case("copy to missing parent", [{"op": "copy", "from": "/data/a", "path": "/spec/c"}])
case("copy without from", [{"op": "copy", "path": "/data/c"}])
case("copy label into finalizers", fin({"op": "copy", "from": "/metadata/labels/app", "path": F + "/-"}))
case("copy finalizer out of range", fin({"op": "copy", "from": F + "/2", "path": F + "/-"}))
case("copy to bad index", fin({"op": "copy", "from": F + "/0", "path": F + "/9"}))
copies = [{"op": "add", "path": "/metadata/annotations/big", "value": {"s": "x" * 1024}}]
for i in range(13):
    copies.append({"op": "copy", "from": "/metadata/annotations/big", "path": "/metadata/annotations/big/c%d" % i})
case("copy size limit", copies)
# --- patch shape
case("empty patch", [])
case("null patch", None)
case("not an array", {"op": "add", "path": "/data/c", "value": "3"})
case("string patch", "add")
case("element not an object", ["add"])
case("null element", [None])
case("unknown op", [{"op": "merge", "path": "/data/a", "value": "x"}])
case("missing op", [{"path": "/data/a", "value": "x"}])
case("op not a string", [{"op": 1, "path": "/data/a", "value": "x"}])
case("null op", [{"op": None, "path": "/data/a", "value": "x"}])
case("add without path", [{"op": "add", "value": "x"}])
case("remove without path", [{"op": "remove"}])
case("replace without path", [{"op": "replace", "value": "x"}])
case("test without path", [{"op": "test", "value": "x"}])
case("null path", [{"op": "add", "path": None, "value": "x"}])
case("path not a string", [{"op": "add", "path": 5, "value": "x"}])
case("from not a string", [{"op": "copy", "from": ["a"], "path": "/data/c"}])
case("path without leading slash", [{"op": "add", "path": "data/c", "value": "3"}],
     note="adds a top-level field c; the server drops the unknown field, with a warning")
case("path without any slash", [{"op": "add", "path": "data", "value": "3"}])
case("unknown field warns", [{"op": "add", "path": "/data/c", "value": "3", "extra": True}])
case("capitalised op", [{"Op": "add", "path": "/data/c", "value": "3"}])
case("duplicate op key", raw='[{"op":"remove","op":"add","path":"/data/c","value":"3"}]', table=True)
case("duplicate key in value", raw='[{"op":"add","path":"/metadata/annotations","value":{"k":"1","k":"2"}}]', table=True)
case("value with huge number", raw='[{"op":"add","path":"/metadata/annotations/n","value":1e400}]', table=True)
case("value with big integer", raw='[{"op":"add","path":"/metadata/annotations/n","value":123456789012345678901234567890}]', table=True,
     note="the server refuses a number for an annotation (ConfigMap decoding fails)")
case("failing op stops everything", [{"op": "add", "path": "/data/c", "value": "3"}, {"op": "remove", "path": "/data/nope"}])
# --- touching what the server owns
case("replace name", [{"op": "replace", "path": "/metadata/name", "value": "other"}],
     note="the server refuses a changed name (400 BadRequest)")
case("replace resourceVersion", [{"op": "replace", "path": "/metadata/resourceVersion", "value": "1"}],
     note="the server answers 409 Conflict (stale resourceVersion)")
case("remove resourceVersion", [{"op": "remove", "path": "/metadata/resourceVersion"}],
     note="the real server has a resourceVersion; the fake must too")
case("test uid exists", [{"op": "test", "path": "/metadata/uid", "value": None}],
     note="the real server has a uid, so the test fails there")
case("replace kind", [{"op": "replace", "path": "/kind", "value": "Secret"}],
     note="the server refuses to decode a Secret into a ConfigMap")
case("replace root", [{"op": "replace", "path": "", "value": {"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "patched", "namespace": "default"}, "data": {"z": "26"}}}],
     note="the whole object is replaced: labels, uid, resourceVersion are gone")
case("replace root with array", [{"op": "replace", "path": "", "value": []}],
     note="the server cannot decode an array as a ConfigMap")
case("replace root with string", [{"op": "replace", "path": "", "value": "x"}])
case("replace root with null", [{"op": "replace", "path": "", "value": None}])

# --- more corners
case("move from root", [{"op": "move", "from": "", "path": "/data/c"}])
case("copy from root", [{"op": "copy", "from": "", "path": "/data/c"}])
case("copy is a deep copy", [{"op": "copy", "from": "/metadata/labels", "path": "/metadata/annotations"},
                             {"op": "add", "path": "/metadata/annotations/z", "value": "1"}])
case("trailing slash under a string", [{"op": "add", "path": "/metadata/labels/app/", "value": "x"}])
case("op in capitals", [{"op": "ADD", "path": "/data/c", "value": "3"}])
case("duplicate op, last null", raw='[{"op":"add","path":"/data/c","value":"3","op":null}]', table=True)
case("test bool text", [{"op": "add", "path": "/metadata/annotations/b", "value": True},
                        {"op": "test", "path": "/metadata/annotations/b", "value": "true"}])
case("test object with escaped member name", raw='[{"op":"add","path":"/metadata/annotations","value":{"a":"1"}},'
     '{"op":"test","path":"/metadata/annotations","value":{"\\u0061":"1"}}]', table=True)
case("move finalizer forward", fin({"op": "add", "path": F + "/-", "value": "c"},
                                   {"op": "move", "from": F + "/0", "path": F + "/2"}))
case("move finalizer past end after removal", fin({"op": "move", "from": F + "/0", "path": F + "/2"}))
case("ignore: move path not a string", [{"op": "move", "from": "/data/a", "path": 1}], validation="Ignore")
case("strict: unknown then duplicate", raw='[{"zz":1,"op":"add","path":"/data/c","zz":2,"value":"1","value":"2","path":"/data/d"}]',
     validation="Strict")
case("deploy: add into a new object", [{"op": "add", "path": "/spec/template/metadata/annotations", "value": {"a": {}}},
                                       {"op": "add", "path": "/spec/template/metadata/annotations/a/b", "value": "1"},
                                       {"op": "test", "path": "/spec/template/metadata/annotations", "value": {"a": {"b": "1"}}}],
     doc="deployment")
case("deploy: test whole object", [{"op": "test", "path": "", "value": DEPLOYMENT}], doc="deployment")
case("deploy: replace in array of objects", [{"op": "replace", "path": "/spec/template/spec/containers/1",
                                              "value": {"name": "sidecar", "image": "busybox:1"}}], doc="deployment")
# --- not for the server table
case("invalid JSON", raw='[{"op":"add"')
case("empty body", raw='')
case("whitespace body", raw=' \n')
case("trailing garbage", raw='[] x')
case("single quotes", raw="[{'op':'add'}]")
case("whitespace around patch", raw=' \t\r\n[ { "op" : "add" , "path" : "/data/c" , "value" : "3" } ] \n')
def nested(depth):
    return '[{"op":"add","path":"/data/c","value":' + "[" * depth + "]" * depth + "}]"
case("nesting at the limit", raw=nested(9998), inline=False)
case("nesting past the limit", raw=nested(9999), inline=False)
case("nesting past the limit, empty", raw='[{"op":"add","path":"/data/c","value":' + "[" * 9998 + "{}" + "]" * 9998 + "}]", inline=False)
case("invalid utf-8 replaced", raw=b'[{"op":"add","path":"/data/c","value":"a\xffb\xe2\x82"}]', inline=False)
case("copy at the size limit", [{"op": "copy", "from": "/metadata/annotations/h", "path": "/data/h"}], doc="big-at", inline=False)
case("copy past the size limit", [{"op": "copy", "from": "/metadata/annotations/h", "path": "/data/h"}], doc="big-over", inline=False)
case("copy size counts the patch text", raw='[{"op":"add","path":"/data/s","value":"' + "\\u0041" * 262144 + '"},'
     '{"op":"copy","from":"/data/s","path":"/data/t"},{"op":"copy","from":"/data/s","path":"/data/u"}]', inline=False)
case("lone surrogate escape", raw='[{"op":"add","path":"/data/c","value":"\\ud800x"}]')
case("escapes in keys", raw='[{"op":"add","path":"/data/c","value":{"\\u0041":"\\n\\/"}}]')
case("ignore: not an array", {"op": "add"}, validation="Ignore")
case("ignore: element not an object", ["add"], validation="Ignore")
case("ignore: element is array", [[1]], validation="Ignore")
case("ignore: string patch", "x", validation="Ignore")
case("ignore: number patch", 5, validation="Ignore")
case("ignore: bool patch", True, validation="Ignore")
case("ignore: add path not a string", [{"op": "add", "path": 5, "value": "x"}], validation="Ignore")
case("ignore: replace path not a string", [{"op": "replace", "path": 5, "value": "x"}], validation="Ignore")
case("ignore: test path not a string", [{"op": "test", "path": True, "value": "x"}], validation="Ignore")
case("ignore: move from not a string", [{"op": "move", "from": 1, "path": "/data/c"}], validation="Ignore")
case("ignore: copy path not a string", [{"op": "copy", "from": "/data/a", "path": {}}], validation="Ignore")
case("ignore: op not a string", [{"op": 1, "path": "/data/a"}], validation="Ignore")
case("ignore: unknown field", [{"op": "add", "path": "/data/c", "value": "3", "extra": 1}], validation="Ignore")
case("ignore: value with huge number", raw='[{"op":"add","path":"/metadata/annotations/n","value":1e400}]', validation="Ignore")
case("strict: unknown fields", [{"op": "add", "path": "/data/c", "value": "3", "x": 1, "y": 2}, {"op": "test", "path": "/data/c", "z": 0}], validation="Strict")
case("strict: duplicate nested", raw='[{"op":"add","path":"/data/c","value":{"a":[{"b":1,"b":2}]}},{"op":"test","path":"/data/c","path":"/data/c"}]', validation="Strict")
case("too many operations", [{"op": "test", "path": "/data/a", "value": "1"}] * 10001, inline=False)
case("exactly max operations", [{"op": "test", "path": "/data/a", "value": "1"}] * 10000, inline=False)
# --- panics in evanphx
case("panic: test root without value", [{"op": "test", "path": ""}])
case("panic: replace root without value", [{"op": "replace", "path": ""}])
case("panic: add into copied null", [{"op": "add", "path": "/data/n", "value": None},
                                     {"op": "copy", "from": "/data/n", "path": "/metadata/annotations/n"},
                                     {"op": "add", "path": "/metadata/annotations/n/x", "value": "1"}])
case("copied null is not null", [{"op": "add", "path": "/data/n", "value": None},
                                 {"op": "copy", "from": "/data/n", "path": "/metadata/annotations/n"},
                                 {"op": "test", "path": "/metadata/annotations/n", "value": None}])
case("copied null equals empty object", [{"op": "add", "path": "/data/n", "value": None},
                                         {"op": "copy", "from": "/data/n", "path": "/metadata/annotations/n"},
                                         {"op": "test", "path": "/metadata/annotations/n", "value": {}},
                                         {"op": "remove", "path": "/metadata/annotations/n"}], table=False)
# --- html escaping of the stored object
case("html: test raw text fails", [{"op": "test", "path": "/metadata/annotations/h", "value": "a<b&c>d"}], doc="html")
case("html: test escaped text passes", raw='[{"op":"test","path":"/metadata/annotations/h","value":"a\\u003cb\\u0026c\\u003ed"}]', doc="html")
case("html: line separator", raw='[{"op":"test","path":"/data/u","value":"\\u2028"}]', doc="html")
case("html: control chars", raw='[{"op":"test","path":"/data/ctl","value":"\\b\\f\\n\\u0001"}]', doc="html")
case("html: utf-8 text", [{"op": "test", "path": "/data/e", "value": "é"}], doc="html")
case("html: copy size counts escapes", [{"op": "copy", "from": "/metadata/annotations", "path": "/data/x"}], doc="html")
# --- numbers of the stored object, as Go writes int64 and float64
FLOATS = '[' + ','.join('{"op":"test","path":"/f/%s","value":%s}' % kv for kv in [
    ("a", "1e+21"), ("b", "1e-7"), ("c", "0.1"), ("d", "1.5"), ("e", "100"), ("f", "123456789.125"),
    ("g", "100000000000000000000"), ("h", "0.000001"), ("i", "-2.5e-8"), ("j", "12345678901234567000"),
    ("k", "-9223372036854775808"), ("l", "0"), ("m", "1e+100")]) + ']'
case("floats: Go's number text", raw=FLOATS, doc="floats")
case("floats: 100.0 is 100", raw='[{"op":"test","path":"/f/e","value":100.0}]', doc="floats")
case("floats: 1e21 is 1e+21", raw='[{"op":"test","path":"/f/a","value":1e21}]', doc="floats")
# --- a Deployment
C = "/spec/template/spec/containers"
case("deploy: replace image", [{"op": "test", "path": C + "/0/name", "value": "app"},
                               {"op": "replace", "path": C + "/0/image", "value": "nginx:1.28"}], doc="deployment")
case("deploy: add env", [{"op": "add", "path": C + "/0/env/-", "value": {"name": "B", "value": "2"}}], doc="deployment")
case("deploy: add container at 1", [{"op": "add", "path": C + "/1", "value": {"name": "init", "image": "alpine"}}], doc="deployment")
case("deploy: remove last container", [{"op": "remove", "path": C + "/-1"}], doc="deployment")
case("deploy: move container to end", [{"op": "move", "from": C + "/0", "path": C + "/-"}], doc="deployment")
case("deploy: copy ports", [{"op": "copy", "from": C + "/0/ports", "path": C + "/1/ports"}], doc="deployment")
case("deploy: replace replicas", [{"op": "test", "path": "/spec/replicas", "value": 3},
                                  {"op": "replace", "path": "/spec/replicas", "value": 5}], doc="deployment")
case("deploy: test replicas 3.0", [{"op": "test", "path": "/spec/replicas", "value": 3.0}], doc="deployment")
case("deploy: test replicas string", [{"op": "test", "path": "/spec/replicas", "value": "3"}], doc="deployment")
case("deploy: test ports", [{"op": "test", "path": C + "/0/ports", "value": [{"containerPort": 80}]}], doc="deployment")
case("deploy: test ports differ", [{"op": "test", "path": C + "/0/ports", "value": [{"containerPort": 81}]}], doc="deployment")
case("deploy: test containers length", [{"op": "test", "path": C, "value": [{"name": "app"}]}], doc="deployment")
case("deploy: index into object", [{"op": "add", "path": "/spec/selector/0", "value": "x"}], doc="deployment")
case("deploy: name as array index", [{"op": "replace", "path": C + "/app/image", "value": "x"}], doc="deployment")
case("deploy: test finalizers", [{"op": "test", "path": F, "value": ["a", "b"]}], doc="deployment")
case("deploy: remove finalizer by index", [{"op": "test", "path": F + "/1", "value": "b"},
                                           {"op": "remove", "path": F + "/1"}], doc="deployment")
case("deploy: null in array then test", [{"op": "add", "path": F + "/-"},
                                         {"op": "test", "path": F, "value": ["a", "b", None]}], doc="deployment")
case("deploy: null in array equal prefix fails first", [{"op": "add", "path": F + "/-"},
                                                        {"op": "test", "path": F, "value": ["x", "b", None]}], doc="deployment")
case("deploy: array raw with whitespace", raw='[{"op":"add","path":"/spec/x","value":1},{"op":"add","path":"/spec/template/spec/containers/0/ports/-","value": { "containerPort" : 81 } },{"op":"test","path":"/spec/template/spec/containers/0/ports/1/containerPort","value":81}]', doc="deployment")

def big(tail):
    doc = json.loads(json.dumps(CONFIGMAP))
    doc["metadata"]["annotations"]["h"] = "<" * 524287 + tail
    return doc
FLOATS_DOC = json.loads('{"f":{"a":1e21,"b":1e-7,"c":0.1,"d":1.5,"e":100.0,"f":123456789.125,"g":1e20,'
                        '"h":0.000001,"i":-2.5e-8,"j":12345678901234567890,"k":-9223372036854775808,"l":0.0,"m":1e100}}')
docs = {"floats": FLOATS_DOC, "configmap": CONFIGMAP, "deployment": DEPLOYMENT, "html": HTML, "big-at": big("abcd"), "big-over": big("abcde")}

if __name__ == "__main__":
    import sys
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate names"
    import base64
    body = lambda b: b if isinstance(b, bytes) else b.encode()
    oracle_in = [{"name": c["name"], "doc": docs[c["doc"]], "patch": base64.b64encode(body(c["body"])).decode(),
                  "validation": c["validation"]} for c in cases]
    json.dump(oracle_in, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json"), "w"), ensure_ascii=False)
    print(len(cases), "cases,", sum(c["table"] for c in cases), "in the server table")

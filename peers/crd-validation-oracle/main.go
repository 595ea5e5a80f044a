// Oracle: reads JSON cases on stdin, prints what kube-apiserver's customResourceStrategy
// (apiextensions-apiserver v0.37.2) reports for each, minus metadata errors.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

type Case struct {
	Name   string          `json:"name"`
	Schema json.RawMessage `json:"schema"`
	Object json.RawMessage `json:"object"`
	Old    json.RawMessage `json:"old,omitempty"`
	Process bool `json:"process,omitempty"`
}

type Cause struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

type Result struct {
	Name   string  `json:"name"`
	Causes []Cause `json:"causes"`
	Error  string  `json:"error,omitempty"`
	Object interface{} `json:"object,omitempty"`
	Old    interface{} `json:"old,omitempty"`
}

func run(c Case) (res Result) {
	res.Name = c.Name
	res.Causes = []Cause{}
	defer func() {
		if r := recover(); r != nil {
			res.Error = fmt.Sprintf("panic: %v", r)
		}
	}()
	var v1 apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal(c.Schema, &v1); err != nil {
		res.Error = err.Error()
		return
	}
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(&v1, &internal, nil); err != nil {
		res.Error = err.Error()
		return
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(&internal)
	if err != nil {
		res.Error = err.Error()
		return
	}
	ss, err := structuralschema.NewStructural(&internal)
	if err != nil {
		res.Error = "structural: " + err.Error()
		return
	}
	gvk := schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Widget"}
	strategy := customresource.NewStrategy(nil, false, gvk, validator, nil, ss, nil, nil, nil)
	decode := func(raw json.RawMessage) (*unstructured.Unstructured, error) {
		m := map[string]interface{}{}
		if err := utiljson.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		if c.Process {
			structuralpruning.Prune(m, ss, true)
			structuraldefaulting.PruneNonNullableNullsWithoutDefaults(m, ss)
			structuraldefaulting.Default(m, ss)
		}
		u := &unstructured.Unstructured{Object: m}
		u.SetAPIVersion("example.com/v1")
		u.SetKind("Widget")
		if u.GetName() == "" {
			u.SetName("w")
		}
		return u, nil
	}
	obj, err := decode(c.Object)
	if err != nil {
		res.Error = err.Error()
		return
	}
	if c.Process {
		res.Object = obj.Object
	}
	ctx := context.Background()
	var errs []*Cause
	var list = func() []Cause { return nil }
	_ = list
	if len(c.Old) > 0 {
		old, err := decode(c.Old)
		if err != nil {
			res.Error = err.Error()
			return
		}
		if c.Process {
			res.Old = old.Object
		}
		for _, e := range strategy.ValidateUpdate(ctx, obj, old) {
			errs = append(errs, &Cause{e.Field, string(e.Type), e.ErrorBody()})
		}
	} else {
		for _, e := range strategy.Validate(ctx, obj) {
			errs = append(errs, &Cause{e.Field, string(e.Type), e.ErrorBody()})
		}
	}
	for _, e := range errs {
		if strings.HasPrefix(e.Field, "metadata.") {
			continue
		}
		res.Causes = append(res.Causes, *e)
	}
	return
}

func main() {
	data, _ := io.ReadAll(os.Stdin)
	var cases []Case
	if err := json.Unmarshal(data, &cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var out []Result
	for _, c := range cases {
		out = append(out, run(c))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	enc.Encode(out)
}

// Package handlers mirrors the strict pre-decoding that
// k8s.io/apiserver/pkg/endpoints/handlers/patch.go (jsonPatcher.applyJSPatch) does, with the same
// package and type names so that Go's error texts name the same types.
package handlers

import (
	"fmt"

	kjson "sigs.k8s.io/json"
)

type jsonPatchOp struct {
	Op    string      `json:"op"`
	Path  string      `json:"path"`
	From  string      `json:"from"`
	Value interface{} `json:"value"`
}

// StrictDecode is the FieldValidation=Strict/Warn branch of applyJSPatch.
func StrictDecode(patch []byte) ([]string, error) {
	var v []jsonPatchOp
	strictErrors, err := kjson.UnmarshalStrict(patch, &v)
	if err != nil {
		return nil, fmt.Errorf("error decoding patch: %v", err)
	}
	out := []string{}
	for _, e := range strictErrors {
		out = append(out, fmt.Errorf("json patch %v", e).Error())
	}
	return out, nil
}

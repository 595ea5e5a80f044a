// Command oracle applies JSON patches the way kube-apiserver v1.37.2 does (gopkg.in/evanphx/json-patch.v4
// v4.13.0 behind k8s.io/apiserver's patch handler) and prints what happens, one JSON line per case.
//
// Input (stdin): a JSON array of {"name", "doc", "patch" (the raw body, a string), "validation"}.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	kjson "sigs.k8s.io/json"

	"oracle/handlers"
)

type testCase struct {
	Name       string          `json:"name"`
	Doc        json.RawMessage `json:"doc"`
	Patch      []byte          `json:"patch"` // base64, for bodies that are not UTF-8
	Validation string          `json:"validation"`
}

type result struct {
	Name    string          `json:"name"`
	Ok      json.RawMessage `json:"ok,omitempty"`
	Strict  []string        `json:"strict,omitempty"`
	Error   string          `json:"error,omitempty"`
	Message string          `json:"message,omitempty"`
}

const maxJSONPatchOperations = 10000

// encodeDoc gives the document the bytes runtime.Encode would: encoding/json's Encoder, which
// escapes <, > and &.
func encodeDoc(raw []byte) []byte {
	var v interface{}
	// As the server decodes objects: int64 where the number is one, else float64.
	if err := kjson.UnmarshalCaseSensitivePreserveInts(raw, &v); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func run(c testCase) (r result) {
	r.Name = c.Name
	patch := c.Patch
	// validateAndTranscodePatch
	if !json.Valid(patch) {
		r.Error, r.Message = "decode", "invalid JSON patch"
		return
	}
	if c.Validation != "Ignore" {
		strict, err := handlers.StrictDecode(patch)
		if err != nil {
			r.Error, r.Message = "decode", err.Error()
			return
		}
		r.Strict = strict
	}
	patchObj, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		r.Error, r.Message = "decode", err.Error()
		return
	}
	if len(patchObj) > maxJSONPatchOperations {
		r.Error = "too_many"
		r.Message = fmt.Sprintf("Request entity too large: The allowed maximum operations in a JSON patch is %d, got %d",
			maxJSONPatchOperations, len(patchObj))
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r.Ok, r.Strict = nil, nil
			r.Error, r.Message = "panic", fmt.Sprint(p)
		}
	}()
	out, err := patchObj.Apply(encodeDoc(c.Doc))
	if err != nil {
		r.Strict = nil // the server answers the error alone
		r.Error, r.Message = "apply", err.Error()
		return
	}
	r.Ok = decoded(out)
	return
}

// decoded is the patched text as the server's decoder reads it (Go's unquoting: bad UTF-8 and
// lone surrogates become U+FFFD; the last of duplicate members wins), numbers kept as written.
func decoded(out []byte) json.RawMessage {
	var v interface{}
	d := json.NewDecoder(bytes.NewReader(out))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func main() {
	jsonpatch.AccumulatedCopySizeLimit = 3 * 1024 * 1024 // k8s.io/apiserver's JSONPatchMaxCopyBytes
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		panic(err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		if err := enc.Encode(run(c)); err != nil {
			panic(err)
		}
	}
}

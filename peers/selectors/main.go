// Command selectors-peer judges label and field selectors with k8s.io/apimachinery itself, for the
// differential tests of kube-scheme (`scheme/tests/selectors_differential.rs`).
//
// It reads one JSON object per line on standard input and writes one JSON object per line on
// standard output, in the same order, so one process judges a whole batch:
//
//	{"label": "x in (a,b)", "sets": [{"x": "a"}, {}]}
//	{"field": "metadata.name=a\\,b", "sets": [{"metadata.name": "a,b"}]}
//
// answers
//
//	{"ok": true, "string": "x in (a,b)", "matches": [true, false]}
//	{"ok": false, "error": "unable to parse requirement: ..."}
//
// Label selectors go through labels.Parse, field selectors through fields.ParseSelector; "string"
// is the parsed selector's String() and "matches" its Matches on each set, in order.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
)

type request struct {
	Label *string             `json:"label"`
	Field *string             `json:"field"`
	Sets  []map[string]string `json:"sets"`
}

type answer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	String  string `json:"string"`
	Matches []bool `json:"matches"`
}

func judge(req request) answer {
	switch {
	case req.Label != nil:
		sel, err := labels.Parse(*req.Label)
		if err != nil {
			return answer{Error: err.Error()}
		}
		out := answer{OK: true, String: sel.String(), Matches: []bool{}}
		for _, set := range req.Sets {
			out.Matches = append(out.Matches, sel.Matches(labels.Set(set)))
		}
		return out
	case req.Field != nil:
		sel, err := fields.ParseSelector(*req.Field)
		if err != nil {
			return answer{Error: err.Error()}
		}
		out := answer{OK: true, String: sel.String(), Matches: []bool{}}
		for _, set := range req.Sets {
			out.Matches = append(out.Matches, sel.Matches(fields.Set(set)))
		}
		return out
	default:
		return answer{Error: "request names neither \"label\" nor \"field\""}
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fmt.Fprintf(os.Stderr, "selectors-peer: bad request line: %v\n", err)
			os.Exit(2)
		}
		if err := enc.Encode(judge(req)); err != nil {
			fmt.Fprintf(os.Stderr, "selectors-peer: writing: %v\n", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "selectors-peer: reading: %v\n", err)
		os.Exit(2)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "selectors-peer: writing: %v\n", err)
		os.Exit(2)
	}
}

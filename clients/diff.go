package clients

import (
	"encoding/json"
	"reflect"
	"sort"
)

// changedFields lists the JSON paths (e.g. "individual.lastName") whose values
// differ between before and after; with before nil, every path after sets. Audit
// entries carry it so a reviewer sees what a change touched, without the values.
func changedFields(before, after *Client) []string {
	a, b := flatten(before), flatten(after)
	var out []string
	for k, v := range b {
		if w, ok := a[k]; !ok || !reflect.DeepEqual(v, w) {
			out = append(out, k)
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func flatten(c *Client) map[string]any {
	out := map[string]any{}
	if c == nil {
		return out
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return out
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return out
	}
	walk("", m, out)
	// These change with every write, or never, and say nothing about what changed.
	for _, k := range []string{"id", "tenantId", "version", "createdAt", "updatedAt"} {
		delete(out, k)
	}
	return out
}

func walk(prefix string, v any, out map[string]any) {
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			walk(p, x, out)
		}
		return
	}
	out[prefix] = v
}

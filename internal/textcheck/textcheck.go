package textcheck

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
)

// The rules a problem names.
const (
	RuleUTF8    = "utf8"
	RuleControl = "control"
	RuleMax     = "max"
)

// Line adds a problem to v naming field when s is not valid UTF-8, holds a
// control character (C0, DEL or C1, newline and tab included) or is longer than
// max characters; max 0 means no length rule. It reports whether s passed.
func Line(v *clientele.ValidationError, field, s string, max int) bool {
	return check(v, field, s, max, false)
}

// Text is Line for free-form text: newlines are allowed, other control
// characters are not.
func Text(v *clientele.ValidationError, field, s string, max int) bool {
	return check(v, field, s, max, true)
}

func check(v *clientele.ValidationError, field, s string, max int, multiline bool) bool {
	if !utf8.ValidString(s) {
		v.Add(field, RuleUTF8, "must be valid UTF-8")
		return false
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && (r != '\n' || !multiline) }); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		v.Add(field, RuleControl, fmt.Sprintf("must not contain control character %U", r))
		return false
	}
	if max > 0 && len(s) > max && utf8.RuneCountInString(s) > max {
		v.Add(field, RuleMax, "must be at most "+strconv.Itoa(max)+" characters")
		return false
	}
	return true
}

// Strings checks every string x holds as a Line without a length rule: the
// string fields encoding/json would fill (named by their JSON names, nested
// ones dotted, e.g. "individual.firstName", fields of embedded structs without
// a JSON name promoted), the elements of slices and arrays ("roles[0]"), and the
// keys and values of maps ("apps.retail"), through pointers and interfaces.
// prefix is prepended to every field path ("" at the top).
func Strings(v *clientele.ValidationError, prefix string, x any) {
	walk(v, prefix, reflect.ValueOf(x), 0)
}

// maxDepth bounds the walk; input structs are shallow, and a cycle through
// pointers must not run forever.
const maxDepth = 16

func walk(v *clientele.ValidationError, path string, x reflect.Value, depth int) {
	if depth > maxDepth || !x.IsValid() {
		return
	}
	switch x.Kind() {
	case reflect.String:
		Line(v, path, x.String(), 0)
	case reflect.Pointer, reflect.Interface:
		if !x.IsNil() {
			walk(v, path, x.Elem(), depth+1)
		}
	case reflect.Slice, reflect.Array:
		for i := range x.Len() {
			walk(v, path+"["+strconv.Itoa(i)+"]", x.Index(i), depth+1)
		}
	case reflect.Map:
		iter := x.MapRange()
		for iter.Next() {
			k := iter.Key()
			key := fmt.Sprint(k)
			if k.Kind() == reflect.String && !Line(v, join(path, "(key)"), k.String(), 0) {
				continue
			}
			walk(v, join(path, key), iter.Value(), depth+1)
		}
	case reflect.Struct:
		t := x.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case !f.IsExported() && !f.Anonymous:
				continue
			case name == "" && f.Anonymous:
				// encoding/json promotes the fields of an embedded struct,
				// exported or not.
				walk(v, path, x.Field(i), depth+1)
				continue
			case name == "":
				name = f.Name
			}
			walk(v, join(path, name), x.Field(i), depth+1)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

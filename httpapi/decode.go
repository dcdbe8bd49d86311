package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/problem"
)

// DefaultMaxBodyBytes is the largest request body read unless WithMaxBodyBytes
// says otherwise: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// errTooLarge is the 413 of a body over max bytes.
func errTooLarge(max int64) error {
	return &problem.Error{
		Status: http.StatusRequestEntityTooLarge, Code: problem.CodeTooLarge, Kind: clientele.ErrInvalid,
		Detail: fmt.Sprintf("the request body must be at most %d bytes", max),
	}
}

// errMediaType is the 415 of a body not declared as JSON in UTF-8.
var errMediaType = &problem.Error{
	Status: http.StatusUnsupportedMediaType, Code: problem.CodeUnsupportedMediaType, Kind: clientele.ErrInvalid,
	Detail: "send the request body as Content-Type: application/json (UTF-8)",
}

// decodeJSON reads exactly one JSON object into v, refusing bodies over max
// bytes (errTooLarge), invalid UTF-8, duplicate keys, unknown fields and trailing data.
// Every other failure is a *clientele.ValidationError naming what is wrong.
func decodeJSON(r io.Reader, max int64, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return fmt.Errorf("read body: %w", clientele.ErrInvalid)
	}
	if int64(len(b)) > max {
		return errTooLarge(max)
	}
	// encoding/json would replace invalid UTF-8 with U+FFFD without a word.
	if !utf8.Valid(b) {
		return clientele.NewValidationError("body", "utf8", "must be valid UTF-8")
	}
	if path, ok := duplicateKey(b); ok {
		if path == "" || strings.HasSuffix(path, ".") {
			// The empty key, twice: name the object that holds it.
			field := strings.TrimSuffix(path, ".")
			if field == "" {
				field = "body"
			}
			return clientele.NewValidationError(field, "duplicate", `holds the empty key "" more than once`)
		}
		return clientele.NewValidationError(path, "duplicate", "appears more than once in its object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return clientele.NewValidationError("body", "json", "must hold exactly one JSON object")
	}
	return nil
}

// duplicateKey returns the path ("individual.firstName", "contacts[1].name") of
// the first key that appears twice in one object of b. encoding/json keeps the
// last of them, so a check made by a proxy or a log on the first one would see
// another value than the service. A body that is not valid JSON has none: the
// decoder reports its syntax error.
func duplicateKey(b []byte) (string, bool) {
	type frame struct {
		object  bool
		path    string
		keys    map[string]bool
		key     string // the key whose value comes next (objects)
		wantKey bool
		index   int // the index of the next element (arrays)
	}
	var stack []*frame
	// child returns the path of the value that starts now.
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if top.object {
			if top.path == "" {
				return top.key
			}
			return top.path + "." + top.key
		}
		return top.path + "[" + strconv.Itoa(top.index) + "]"
	}
	// done records that a value of the top container ended.
	done := func() {
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.object {
			top.wantKey = true
		} else {
			top.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
			top := stack[n-1]
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					top.key = k
					return child(), true
				}
				top.keys[k], top.key, top.wantKey = true, k, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, path: child(), keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: child()})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			done()
		}
	}
}

func bodyError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return clientele.NewValidationError("body", "required", "is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return clientele.NewValidationError("body", "json", "ends before the JSON object does")
	case errors.As(err, &syn):
		return clientele.NewValidationError("body", "json", fmt.Sprintf("is not valid JSON at byte %d", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return clientele.NewValidationError(field, "type", "must be a JSON "+typ.Type.Kind().String()+", not "+typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		if name == "" {
			return clientele.NewValidationError("body", "unknown", "holds a field with an empty name")
		}
		return clientele.NewValidationError(name, "unknown", "is not a field of this request")
	}
	return clientele.NewValidationError("body", "json", "is not a valid JSON object")
}

// checkContentType refuses a request body not declared as JSON in UTF-8:
// application/json or a +json type, with no charset or charset=utf-8.
func checkContentType(r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return errMediaType
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errMediaType
	}
	return nil
}

// decodeBody checks the content type, then reads at most max bytes of the
// request body and decodes them into v (decodeJSON).
func decodeBody(w http.ResponseWriter, r *http.Request, max int64, v any) error {
	if err := checkContentType(r); err != nil {
		return err
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge(max)
		}
		return fmt.Errorf("read body: %w", clientele.ErrInvalid)
	}
	return decodeJSON(bytes.NewReader(b), max, v)
}

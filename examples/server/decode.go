package main

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
)

// maxBody is the largest request body the server reads.
const maxBody = 1 << 20

// bodyProblem is a request body refused as a whole, with its own HTTP status
// (413, 415). It unwraps to clientele.ErrInvalid.
type bodyProblem struct {
	status int
	code   string
	detail string
}

func (e *bodyProblem) Error() string { return e.detail }

// Unwrap makes errors.Is(err, clientele.ErrInvalid) true.
func (e *bodyProblem) Unwrap() error { return clientele.ErrInvalid }

// The stable problem codes of bodyProblem.
const (
	codeTooLarge             = "too_large"
	codeUnsupportedMediaType = "unsupported_media_type"
)

var errTooLarge = &bodyProblem{
	status: http.StatusRequestEntityTooLarge, code: codeTooLarge,
	detail: fmt.Sprintf("the request body must be at most %d bytes", maxBody),
}

var errMediaType = &bodyProblem{
	status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType,
	detail: "send the request body as Content-Type: application/json (UTF-8)",
}

// decodeJSON reads exactly one JSON object into v, refusing bodies over maxBody
// (errTooLarge), invalid UTF-8, duplicate keys, unknown fields and trailing data.
// Every other failure is a *clientele.ValidationError naming what is wrong.
func decodeJSON(r io.Reader, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return fmt.Errorf("read body: %w", clientele.ErrInvalid)
	}
	if len(b) > maxBody {
		return errTooLarge
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

// readBody reads the request body within maxBody.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge
		}
		return nil, fmt.Errorf("read body: %w", clientele.ErrInvalid)
	}
	return b, nil
}

// decodeBody checks the content type, then reads and decodes the request body
// into v (decodeJSON).
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if err := checkContentType(r); err != nil {
		return err
	}
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSON(bytes.NewReader(b), v)
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/clientele-go/clientele"
)

// maxBody is the largest request body the server reads.
const maxBody = 1 << 20

// decodeJSON reads exactly one JSON object into v, refusing unknown fields, trailing
// data and bodies over maxBody. Every failure is an ErrInvalid naming what is wrong.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(r, maxBody+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return clientele.NewValidationError("body", "json", "must hold exactly one JSON object")
	}
	return nil
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

// readBody reads the request body within maxBody.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, clientele.NewValidationError("body", "max", fmt.Sprintf("must be at most %d bytes", maxBody))
		}
		return nil, fmt.Errorf("read body: %w", clientele.ErrInvalid)
	}
	return b, nil
}

// decodeBody reads and decodes the request body into v.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSON(bytes.NewReader(b), v)
}

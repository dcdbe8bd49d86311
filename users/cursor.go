package users

import (
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"
)

const cursorPrefix = "u1:"

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func decodeCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	id, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if err != nil || !ok {
		return "", errors.New("bad cursor")
	}
	if _, err := uuid.Parse(id); err != nil {
		return "", errors.New("bad cursor")
	}
	return id, nil
}

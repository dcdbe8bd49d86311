package authz

import "fmt"

// MarshalText writes the type by name ("backoffice", "customer"), so JSON and
// other text encodings carry the name rather than a number.
func (t PermissionType) MarshalText() ([]byte, error) {
	if !validType(t) {
		return nil, fmt.Errorf("authz: cannot encode %v", t)
	}
	return []byte(t.String()), nil
}

// UnmarshalText reads a type by name, as ParsePermissionType does.
func (t *PermissionType) UnmarshalText(b []byte) error {
	v, err := ParsePermissionType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

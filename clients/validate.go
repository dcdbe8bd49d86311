package clients

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/adapters"
	"github.com/clientele-go/clientele/internal/textcheck"
)

const dateLayout = "2006-01-02"

// referencePattern is what a caller-supplied reference must look like: it is used in
// URLs, so letters, digits, dash and underscore only.
var referencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$`)

// newValidator builds a validator whose field names are the JSON names and which
// knows the library's own rules. now is the service clock (for "notfuture").
func newValidator(now func() time.Time) *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	// e164 and email are the library's own contact rules (textcheck), the ones
	// users and adapters apply too, in place of validator's.
	_ = v.RegisterValidation("e164", func(fl validator.FieldLevel) bool {
		return textcheck.E164(fl.Field().String())
	})
	_ = v.RegisterValidation("email", func(fl validator.FieldLevel) bool {
		return textcheck.Email(fl.Field().String())
	})
	// Money (adapters.Money, whose fields carry no tags): a non-negative
	// amount in an ISO 4217 currency.
	v.RegisterStructValidation(func(sl validator.StructLevel) {
		m := sl.Current().Interface().(adapters.Money)
		if m.Amount < 0 {
			sl.ReportError(m.Amount, "amount", "Amount", "min", "0")
		}
		switch {
		case m.Currency == "":
			sl.ReportError(m.Currency, "currency", "Currency", "required", "")
		case sl.Validator().Var(m.Currency, "iso4217") != nil:
			sl.ReportError(m.Currency, "currency", "Currency", "iso4217", "")
		}
	}, adapters.Money{})
	// isodate: a calendar date written YYYY-MM-DD.
	_ = v.RegisterValidation("isodate", func(fl validator.FieldLevel) bool {
		_, err := time.Parse(dateLayout, fl.Field().String())
		return err == nil
	})
	// notfuture: a YYYY-MM-DD date that is not after today (UTC).
	_ = v.RegisterValidation("notfuture", func(fl validator.FieldLevel) bool {
		d, err := time.Parse(dateLayout, fl.Field().String())
		if err != nil {
			return true // isodate reports the format problem
		}
		return !d.After(now().UTC())
	})
	return v
}

// messages explains each rule in words a caller can act on.
func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		if fe.Kind() == reflect.Slice {
			return "may hold at most " + fe.Param() + " items"
		}
		return "must be at most " + fe.Param() + " characters"
	case "min":
		return "must be at least " + fe.Param()
	case "e164":
		return "must be a phone number in E.164 form, e.g. +254712345678"
	case "email":
		return "must be an email address"
	case "iso3166_1_alpha2":
		return "must be an ISO 3166-1 alpha-2 country code, e.g. KE"
	case "iso4217":
		return "must be an ISO 4217 currency code, e.g. KES"
	case "isodate":
		return "must be a date written YYYY-MM-DD"
	case "notfuture":
		return "must not be in the future"
	case "oneof":
		return "must be one of: " + fe.Param()
	}
	return "fails rule " + fe.Tag()
}

// fieldPath turns validator's namespace ("createInput.Profile.individual.dateOfBirth")
// into the JSON path the caller sent ("individual.dateOfBirth"): it drops the root
// struct and embedded structs, whose names are Go names, not JSON names.
func fieldPath(ns string) string {
	parts := strings.Split(ns, ".")
	kept := parts[:0]
	for _, p := range parts[1:] {
		if p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, ".")
}

// check validates v with the struct tags and appends every problem to verr.
func check(v *validator.Validate, s any, verr *clientele.ValidationError) {
	err := v.Struct(s)
	var fes validator.ValidationErrors
	if errors.As(err, &fes) {
		for _, fe := range fes {
			verr.Add(fieldPath(fe.Namespace()), fe.Tag(), message(fe))
		}
	} else if err != nil {
		verr.Add("", "internal", err.Error())
	}
}

// checkProfile validates a profile for a client of type t, including the rules that
// span fields. Every string of the profile must be one line of valid UTF-8
// (textcheck); the struct tags bound each one's length.
func checkProfile(v *validator.Validate, t Type, p *Profile, verr *clientele.ValidationError) {
	textcheck.Strings(verr, "", p)
	check(v, p, verr)
	switch t {
	case Individual:
		if p.Individual == nil {
			verr.Add("individual", "required", "is required for an individual client")
		}
		if p.Corporate != nil {
			verr.Add("corporate", "excluded", "must be absent for an individual client")
		}
	case Corporate:
		if p.Corporate == nil {
			verr.Add("corporate", "required", "is required for a corporate client")
		}
		if p.Individual != nil {
			verr.Add("individual", "excluded", "must be absent for a corporate client")
		}
	}
}

// checkReference validates a caller-supplied reference.
func checkReference(ref string, verr *clientele.ValidationError) {
	if ref != "" && !referencePattern.MatchString(ref) {
		verr.Add("reference", "pattern", "must be 3 to 40 letters, digits, '-' or '_', starting with a letter or digit")
	}
}

// maxReference is the longest reference: caller-supplied ones follow
// referencePattern (at most 40), generated ones are 9 characters.
const maxReference = 40

// checkPathReference checks the reference that names the client of a read or a
// change (a path segment over HTTP) before any store sees it.
func checkPathReference(ref string) error {
	verr := &clientele.ValidationError{}
	if ref == "" {
		verr.Add("reference", "required", "is required")
	}
	textcheck.Line(verr, "reference", ref, maxReference)
	return verr.OrNil()
}

// maxIdempotencyKey is the longest idempotency key a create accepts.
const maxIdempotencyKey = 200

// checkIdempotencyKey checks a caller's idempotency key ("" for none).
func checkIdempotencyKey(key string, verr *clientele.ValidationError) {
	textcheck.Line(verr, "idempotencyKey", key, maxIdempotencyKey)
}

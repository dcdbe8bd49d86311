package filter_test

import (
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/internal/filter"
)

func ExampleParse() {
	schema := filter.Schema{
		Fields: []filter.Field{
			{Name: "status", Kind: filter.Enum, Values: []string{"active", "suspended", "closed"}},
			{Name: "type", Kind: filter.Enum, Values: []string{"individual", "corporate"}},
			{Name: "name", Kind: filter.String, Ops: []filter.Op{filter.Eq, filter.Contains}},
			{Name: "created", Kind: filter.Date},
		},
		Default: "name",
	}

	q, err := filter.Parse(`Status:active|SUSPENDED type:corporate name~"acme ltd" created>=2025-01-01 bank`, schema)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range q.Terms {
		fmt.Printf("%d %s %s %d value(s): %s\n", t.Pos, t.Field, t.Op, len(t.Values), t)
	}
	fmt.Println(q)

	_, err = filter.Parse("created>=2025-13-01", schema)
	fmt.Println(err)
	fmt.Println(errors.Is(err, clientele.ErrInvalid))
	// Output:
	// 0 status : 2 value(s): status:active|suspended
	// 24 type : 1 value(s): type:corporate
	// 39 name ~ 1 value(s): name~"acme ltd"
	// 55 created >= 1 value(s): created>=2025-01-01
	// 75 name ~ 1 value(s): name~bank
	// status:active|suspended type:corporate name~"acme ltd" created>=2025-01-01 name~bank
	// filter: at position 9: field created: "2025-13-01" is not a date; expected YYYY-MM-DD or an RFC 3339 timestamp such as 2025-01-31T09:30:00Z
	// true
}

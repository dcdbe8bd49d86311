package users

import "context"

// Observe makes s call f before every hash check it makes, with whether there is
// a real hash to check against (false: the dummy check of a refused or unknown
// attempt). f may block to hold a check back. Tests only.
func Observe(s *Service, f func(ctx context.Context, real bool, given string)) { s.observe = f }

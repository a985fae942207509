package work

import "time"

// Default is the one meaning of a zero or negative setting in the
// adapters' configs: zero takes def, a negative value turns the setting
// off (0), a positive one is kept.
func Default[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

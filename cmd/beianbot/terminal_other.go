//go:build !linux

package main

import (
	"io"
	"os"
)

// isTerminal reports whether r is a character device other than /dev/null,
// the nearest this platform gets to asking the terminal driver.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok || f.Name() == os.DevNull {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

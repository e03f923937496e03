// Package cpuprofile writes a CPU profile of a whole run, for the
// --cpuprofile flags of parley-cli and parley-server.
package cpuprofile

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// Start starts profiling into the file at path; stop ends it and writes
// the file.
func Start(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

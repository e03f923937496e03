package e2e

import (
	"os"
	"testing"

	"parley/internal/harness"
)

// TestMain removes the binaries the tests built once they have run.
func TestMain(m *testing.M) { os.Exit(harness.Run(m)) }

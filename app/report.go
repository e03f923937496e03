package app

import (
	"os"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
)

// ReportShownEnv names a file to which the app writes, once, the wall-clock
// time (Unix nanoseconds) at which its first window is on the screen. It
// is for `make bench` (bench/desktop_bench_test.go), which times the start
// of the real binary; unset, nothing happens.
const ReportShownEnv = "PARLEY_REPORT_SHOWN"

// reportShown arranges the report of ReportShownEnv. Windows shown before
// Fyne's event loop runs are created, mapped and drawn synchronously by
// Show, so the first function the loop runs (a fyne.Do queued from
// another goroutine) runs after the first window is on the screen.
func reportShown() {
	path := os.Getenv(ReportShownEnv)
	if path == "" {
		return
	}
	go fyne.Do(func() {
		now := time.Now().UnixNano()
		go os.WriteFile(path, []byte(strconv.FormatInt(now, 10)+"\n"), 0o644)
	})
}

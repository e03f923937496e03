// Command parley is Parley's desktop app: chat and audio/video calls, with
// a server of its own when none is configured ("Host on this computer").
//
//	parley [--demo] [--test-media] [--addr :7000] [--data DIR]
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"parley/app"
	"parley/platform"
	_ "parley/platform/locale" // before Fyne reads the locale
)

func main() {
	demo := flag.Bool("demo", false, "host a server and open two signed-in windows (alice and bob) on test media")
	demoCall := flag.String("demo-call", "", "with --demo: alice calls bob at once (audio or video)")
	testMedia := flag.Bool("test-media", os.Getenv("PARLEY_TEST_MEDIA") == "1", "use generated video and audio instead of the camera and microphone")
	addr := flag.String("addr", ":7000", "address of the server hosted on this computer")
	data := flag.String("data", "", "directory of the hosted server's database (default: the user's config directory)")
	flag.Parse()
	if err := platform.CheckDisplay(os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "parley: %v\n", err)
		os.Exit(1)
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	fa := fyneapp.NewWithID("org.parley.app")
	opts := []app.Option{app.TestMedia(*testMedia || *demo), app.HostAddr(*addr), app.Logger(log)}
	if *data != "" {
		opts = append(opts, app.DataDir(*data))
	}
	a := app.New(fa, opts...)
	if *demo {
		if err := a.RunDemo(*demoCall); err != nil {
			fmt.Fprintf(os.Stderr, "parley: %v\n", err)
			os.Exit(1)
		}
		fa.Run()
		a.Close()
		return
	}
	a.Run()
}

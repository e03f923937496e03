// Command parley-cli is a headless Parley client for scripts, bots, load and
// end-to-end tests. It runs on the same client and call code as the app.
//
// Its command line and output are a contract (docs/cli.md): events
// and results go to standard output as JSON lines, logs to standard error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Usage: parley-cli --server URL --user NAME [--password PW] [--ca-file FILE] [-v] COMMAND [ARGS]

The password may instead come from the environment variable PARLEY_PASSWORD.
--ca-file names a PEM file of the authority that signed an https:// server's
certificate, when it is a private one.

Commands:
  register                      create the account
  group create NAME USER...     create a group with those members; prints its id
  send PEER TEXT                send a chat message; prints it as stored
  history PEER [--limit N]      the conversation, one JSON message a line,
                                oldest first (the newest N, default 50)
  call PEER... [--video] [--timeout D] [--hold D] [--cancel-after D]
                                place a call; once connected keep it for --hold
                                (default 5s), then hang up; --cancel-after
                                cancels it while it still rings; --timeout sets
                                how long it rings (5s-2m; default: the server's)
  answer [--decline] [--voice-only] [--ring D] [--wait D] [--hold D]
                                wait (at most --wait, default 60s) for a call to
                                ring, accept (a video call with voice only when
                                --voice-only, or when there is no camera) or
                                decline it (after letting it ring for --ring),
                                keep it for --hold (default 5s) and hang up
                                unless the other side did first
  join group:ID [--wait D] [--hold D]
                                enter the group's call going on (waiting at most
                                --wait, default 10s, to hear of it), keep it for
                                --hold (default 5s) and hang up

call, answer and join also take:
  --test-media                  generated video and sound instead of the camera
                                and microphone (or PARLEY_TEST_MEDIA=1)
  --relay-only                  media only through the server's TURN relay
  --mute-after D                mute the microphone D after connecting
  --switch-to-audio-after D     turn the video call into a voice call D after
                                connecting
  --video-size WxH, --fps N     the video sent (default 640x480 at 30 fps)
  --video-file FILE.y4m         send this video (4:2:0), looped, at its own size
                                and (without --fps) its own frame rate
  --audio-file FILE.wav         send this sound (16-bit mono 48 kHz), looped;
                                either file alone means --test-media for the other
  --compare FILE.y4m            measure the video received against this clip
                                (made by media/cmd/makeclip): the summary gets
                                "psnr_db" and "frames_compared"
  --cpuprofile FILE             write a CPU profile of the whole run to FILE

PEER is a user name, or group:ID. For call, group:ID may be followed by the
members to ring; alone it rings every other member. D is a duration: 30s, 2m.
Flags may come before or after a command's other arguments; -- ends them.

call, answer and join print their events as JSON lines and last a summary line.
Exit status: 0 when the command ran to its end (a call whatever its outcome),
1 when it could not, 2 for bad arguments.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run is the whole program, callable from tests: it parses args, runs the
// command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	inv, err := parse(args, getenv)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "parley-cli: %v (parley-cli -h for help)\n", err)
		return 2
	}
	level := slog.LevelWarn
	if inv.verbose {
		level = slog.LevelDebug
	}
	e := &env{
		inv: inv,
		out: newPrinter(stdout),
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if err := inv.cmd.run(ctx, e); err != nil {
		if ctx.Err() != nil {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(stderr, "parley-cli: %v\n", err)
		return 1
	}
	return 0
}

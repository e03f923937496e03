package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
	"parley/web/webtest"
)

// BenchmarkBrowserCallSetup places 10 video calls from the browser client
// (headless Chromium) to parley-cli and measures, on each side, the time
// from the accept to the first decoded remote video frame:
//
//   - Chrome, the caller: from the accepted event (the call screen
//     appears) to the first frame the remote <video> presents
//     (requestVideoFrameCallback);
//   - parley-cli, the callee: its summary's setup_ms, from its accept's
//     reply to the first VP8 frame it decoded.
//
// Both devices connect ICE and DTLS while the phone rings, as the
// negotiation convention of docs/protocol.md has it, so this is the cost
// of starting media, not of connecting.
func BenchmarkBrowserCallSetup(b *testing.B) {
	const calls = 10
	for b.Loop() {
		srv := harness.StartServer(b, "")
		srv.AddUser("alice", "pw-alice")
		srv.AddUser("bob", "pw-bob")
		br := webtest.Start(b, webtest.Options{})
		br.SignIn(srv.URL, "bob", "pw-bob")
		br.OpenChat("alice")
		// Each new remote <video>: when it appeared (the accept) and when
		// it presented its first frame.
		br.Eval(`(() => {
			window.__setup = [];
			new MutationObserver(() => {
				const v = document.querySelector('#remote-video');
				if (!v || v.__seen) return;
				v.__seen = true;
				const accepted = performance.now();
				v.requestVideoFrameCallback(() => window.__setup.push(performance.now() - accepted));
			}).observe(document.body, {subtree: true, childList: true});
			return true;
		})()`, new(bool))

		var chrome, cli []float64
		for i := range calls {
			done := make(chan string, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				out, _, _ := srv.CLI(ctx, "alice", "answer", "--wait", "30s", "--hold", "2s", "--test-media")
				done <- out
			}()
			br.Call("video")
			br.Wait("#incall #timer", "00:0", 30*time.Second)
			setupMS := summarySetup(b, <-done)
			var seen []float64
			br.Eval(`window.__setup`, &seen)
			if len(seen) != i+1 || setupMS <= 0 {
				b.Fatalf("call %d: Chrome's measures %v, parley-cli's setup %v ms", i+1, seen, setupMS)
			}
			chrome, cli = append(chrome, seen[i]), append(cli, setupMS)
			waitIdle(b, br)
		}
		reportSetup(b, "chrome", chrome)
		reportSetup(b, "cli", cli)
		fmt.Printf("browser → parley-cli video call, accept → first decoded frame, %d calls:\n"+
			"  Chrome (caller):     %s\n  parley-cli (callee): %s\n  machine: %s\n",
			calls, describeSetup(chrome), describeSetup(cli), machine())
	}
}

// summarySetup is setup_ms of the summary line of a call or answer run.
func summarySetup(b *testing.B, out string) float64 {
	for _, l := range strings.Split(out, "\n") {
		var s struct {
			Summary bool    `json:"summary"`
			Outcome string  `json:"outcome"`
			SetupMS float64 `json:"setup_ms"`
		}
		if json.Unmarshal([]byte(l), &s) == nil && s.Summary {
			if s.Outcome != "completed" {
				b.Fatalf("parley-cli: %s", l)
			}
			return s.SetupMS
		}
	}
	b.Fatalf("parley-cli printed no summary:\n%s", out)
	return 0
}

// waitIdle waits until the page's call screen has gone.
func waitIdle(b *testing.B, br *webtest.Browser) {
	deadline := time.Now().Add(10 * time.Second)
	for br.Count("#call:not([hidden])") > 0 {
		if time.Now().After(deadline) {
			b.Fatal("the call screen stayed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func reportSetup(b *testing.B, side string, ms []float64) {
	s := slices.Sorted(slices.Values(ms))
	b.ReportMetric(s[len(s)/2], side+"-p50-ms")
	b.ReportMetric(s[len(s)-1], side+"-max-ms")
}

func describeSetup(ms []float64) string {
	s := slices.Sorted(slices.Values(ms))
	var sum float64
	for _, v := range s {
		sum += v
	}
	return fmt.Sprintf("min %.0f ms, median %.0f ms, mean %.0f ms, max %.0f ms", s[0], s[len(s)/2], sum/float64(len(s)), s[len(s)-1])
}

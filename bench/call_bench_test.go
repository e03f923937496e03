package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/harness"
)

// BenchmarkCallSetup places 20 video calls between two parley-cli
// processes through a real parley-server on loopback, and reports accept →
// first decoded remote video frame on each side, as the CLI's summary
// says (setup_ms). The callee lets it ring for a second, as a person would:
// ICE and DTLS run meanwhile, so the accept finds the call connected.
func BenchmarkCallSetup(b *testing.B) {
	const calls = 20
	for b.Loop() {
		srv := harness.StartServer(b, "")
		ctx := context.Background()
		for _, u := range []string{"alice", "bob"} {
			if _, e, code := srv.CLI(ctx, u, "register"); code != 0 {
				b.Fatal(e)
			}
		}
		var caller, callee []time.Duration
		for i := 0; i < calls; i++ {
			var wg sync.WaitGroup
			var answerOut string
			wg.Add(1)
			go func() {
				defer wg.Done()
				answerOut, _, _ = srv.CLI(ctx, "bob", "answer", "--test-media", "--wait", "60s", "--hold", "30s", "--ring", "1s")
			}()
			// Give bob's command time to connect: the invite must ring, not wait.
			time.Sleep(700 * time.Millisecond)
			callOut, e, code := srv.CLI(ctx, "alice", "call", "bob", "--video", "--test-media", "--hold", "1s")
			wg.Wait()
			if code != 0 {
				b.Fatalf("call: %s", e)
			}
			caller = append(caller, setup(b, callOut))
			callee = append(callee, setup(b, answerOut))
		}
		fmt.Printf("call set-up, accept -> first decoded remote video frame, %d video calls through parley-server on loopback (goal p50 <= 100 ms):\n", calls)
		for _, side := range []struct {
			name string
			d    []time.Duration
		}{{"caller", caller}, {"callee", callee}} {
			sort.Slice(side.d, func(i, j int) bool { return side.d[i] < side.d[j] })
			p50, p90 := side.d[len(side.d)/2], side.d[len(side.d)*9/10]
			fmt.Printf("  %s: p50 %d ms, p90 %d ms, min %d ms, max %d ms\n", side.name, p50.Milliseconds(), p90.Milliseconds(),
				side.d[0].Milliseconds(), side.d[len(side.d)-1].Milliseconds())
			b.ReportMetric(float64(p50.Milliseconds()), side.name+"-p50-ms")
		}
		fmt.Printf("  machine: %s\n", machine())
		srv.Stop()
	}
}

// setup reads setup_ms from a CLI's summary line.
func setup(b *testing.B, out string) time.Duration {
	ls := strings.Split(strings.TrimSpace(out), "\n")
	var s struct {
		Summary bool   `json:"summary"`
		Outcome string `json:"outcome"`
		SetupMS int64  `json:"setup_ms"`
	}
	if err := json.Unmarshal([]byte(ls[len(ls)-1]), &s); err != nil || !s.Summary || s.Outcome != "completed" || s.SetupMS <= 0 {
		b.Fatalf("bad summary: %s", ls[len(ls)-1])
	}
	return time.Duration(s.SetupMS) * time.Millisecond
}

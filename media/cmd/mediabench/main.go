// Command mediabench measures the media layer on this host: the setup time
// of connect-while-ringing calls (accept to first decoded remote frame) and
// the CPU and memory of one side of a 640x480@30 video call, that side
// being this process and the other a child process, so that each is
// measured alone. All traffic stays on loopback.
//
//	go run ./media/cmd/mediabench [-calls 20] [-hold 20s] [-cpuprofile FILE]
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"parley/media"
)

type signal struct {
	Kind      string          `json:"kind"`
	SDP       string          `json:"sdp,omitempty"`
	Candidate json.RawMessage `json:"candidate,omitempty"`
}

// chanSignaler hands signals to a goroutine that delivers them.
type chanSignaler chan signal

func (c chanSignaler) SendSignal(kind, sdp string, cand json.RawMessage) {
	c <- signal{kind, sdp, cand}
}

// writerSignaler writes signals as JSON lines.
type writerSignaler struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *writerSignaler) SendSignal(kind, sdp string, cand json.RawMessage) {
	w.mu.Lock()
	defer w.mu.Unlock()
	json.NewEncoder(w.w).Encode(signal{kind, sdp, cand})
}

func config() media.Config {
	return media.Config{Video: true, TestMedia: true, LoopbackOnly: true}
}

func main() {
	calls := flag.Int("calls", 20, "calls for the setup time")
	hold := flag.Duration("hold", 20*time.Second, "how long the measured video call lasts")
	peer := flag.Bool("peer", false, "be the far side of the measured call, signalling on stdin/stdout")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this side of the measured call to `FILE`")
	flag.Parse()
	log.SetFlags(0)
	if *peer {
		runPeer()
		return
	}
	setup(*calls)
	load(*hold, *cpuProfile)
}

// setup times accept → first decoded remote frame on both sides of calls
// that connected while ringing, both sides in this process.
func setup(n int) {
	var callerMS, calleeMS []float64
	for range n {
		a, b := waitFrames(func(caller, callee *media.Session) {
			caller.Prepare() // the caller's camera is on while it rings out
		})
		callerMS, calleeMS = append(callerMS, a), append(calleeMS, b)
	}
	fmt.Printf("setup, accept -> first decoded remote frame, %d calls:\n", n)
	fmt.Printf("  caller side: p50 %.1f ms  p90 %.1f ms\n", pct(callerMS, 50), pct(callerMS, 90))
	fmt.Printf("  callee side: p50 %.1f ms  p90 %.1f ms\n", pct(calleeMS, 50), pct(calleeMS, 90))
}

func waitFrames(ringing func(caller, callee *media.Session)) (callerMS, calleeMS float64) {
	toCallee, toCaller := make(chanSignaler, 256), make(chanSignaler, 256)
	var up sync.WaitGroup // both sides connected
	up.Add(2)
	newSide := func(sig media.Signaler) *media.Session {
		var once sync.Once
		cfg := config()
		cfg.OnState = func(st media.State) {
			if st == media.StateConnected {
				once.Do(up.Done)
			}
		}
		s, err := media.New(cfg, sig)
		check(err)
		return s
	}
	caller, callee := newSide(toCallee), newSide(toCaller)
	var wg sync.WaitGroup
	relay := func(from chanSignaler, to *media.Session) {
		defer wg.Done()
		for s := range from {
			to.HandleSignal(s.Kind, s.SDP, s.Candidate)
		}
	}
	wg.Add(2)
	go relay(toCallee, callee)
	go relay(toCaller, caller)
	ringing(caller, callee)
	check(caller.Start())
	up.Wait()
	time.Sleep(200 * time.Millisecond) // connected, still ringing
	accepted := time.Now()
	check(callee.SetSending(true))
	check(caller.SetSending(true))
	for caller.Counters().FirstVideoFrame.IsZero() || callee.Counters().FirstVideoFrame.IsZero() {
		time.Sleep(time.Millisecond)
	}
	callerMS = ms(caller.Counters().FirstVideoFrame.Sub(accepted))
	calleeMS = ms(callee.Counters().FirstVideoFrame.Sub(accepted))
	caller.Close()
	callee.Close()
	close(toCallee)
	close(toCaller)
	wg.Wait()
	return callerMS, calleeMS
}

// load holds one video call against a child process and measures this
// process, one side of it; with profile set, it profiles the CPU of the
// measured stretch into that file.
func load(hold time.Duration, profile string) {
	self, err := os.Executable()
	check(err)
	cmd := exec.Command(self, "-peer")
	cmd.Stderr = os.Stderr
	toPeer, err := cmd.StdinPipe()
	check(err)
	fromPeer, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	s, err := media.New(config(), &writerSignaler{w: toPeer})
	check(err)
	done := make(chan struct{})
	go func() { defer close(done); deliver(fromPeer, s) }()
	check(s.Prepare())
	check(s.Start())
	check(s.SetSending(true))
	for s.Counters().FirstVideoFrame.IsZero() {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // past the start: key frames, BWE ramp
	var prof *os.File
	if profile != "" {
		prof, err = os.Create(profile)
		check(err)
		check(pprof.StartCPUProfile(prof))
	}
	cpu0, k0, t0 := cpuTime(), s.Counters(), time.Now()
	time.Sleep(hold)
	cpu1, k1, t1 := cpuTime(), s.Counters(), time.Now()
	if prof != nil {
		pprof.StopCPUProfile()
		check(prof.Close())
	}
	st := s.Stats()
	wall := t1.Sub(t0)
	fmt.Printf("one side of a 640x480@30 video call, %v:\n", hold)
	fmt.Printf("  CPU %.1f %% of one core\n", 100*cpu1.Seconds()/wall.Seconds()-100*cpu0.Seconds()/wall.Seconds())
	fmt.Printf("  RSS %s MB now, %s MB peak\n", procStatus("VmRSS"), procStatus("VmHWM"))
	fmt.Printf("  frames decoded %.1f/s, sent %.1f/s; bitrate out %d kb/s, in %d kb/s; quality %d\n",
		float64(k1.VideoFramesDecoded-k0.VideoFramesDecoded)/wall.Seconds(),
		float64(k1.VideoFramesSent-k0.VideoFramesSent)/wall.Seconds(),
		st.BitrateOut/1000, st.BitrateIn/1000, st.Quality)
	s.Close()
	toPeer.Close()
	<-done
	cmd.Wait()
}

// runPeer answers the call that the parent places and sends media back
// until its standard input closes.
func runPeer() {
	s, err := media.New(config(), &writerSignaler{w: os.Stdout})
	check(err)
	check(s.SetSending(true))
	deliver(os.Stdin, s)
	s.Close()
}

func deliver(r io.Reader, s *media.Session) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var sig signal
		check(json.Unmarshal(sc.Bytes(), &sig))
		if err := s.HandleSignal(sig.Kind, sig.SDP, sig.Candidate); err != nil && !errors.Is(err, media.ErrClosed) {
			log.Print(err)
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	check(syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func procStatus(key string) string {
	b, err := os.ReadFile("/proc/self/status")
	check(err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return fmt.Sprintf("%.0f", float64(kb)/1024)
		}
	}
	return "?"
}

func pct(xs []float64, p int) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

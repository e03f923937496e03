// Command sfubench is the SFU benchmark of `make bench`: a load generator
// (Pion, no codecs) plays N synthetic participants in one room, each
// sending VP8-like video (30 fps, about 1 Mb/s, a key frame every 2 s and
// on PLI) and Opus-like audio (50 packets/s) and receiving every other
// participant, against Parley's SFU (bench/cmd/sfuhost) and against
// livekit-server, each a process of its own, in the same run.
//
// It is a module of its own so that LiveKit's SDK stays out of Parley's
// build. See docs/benchmarks.md, "Group calls (SFU)".
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

type target interface {
	name() string
	start() (pid int, err error)
	stop()
	join(room, user string, p *participant, rx *receiver, loss *atomic.Int32) (leave func(), err error)
}

var (
	sizes      = flag.String("n", "4,9,16,25", "participant counts")
	hold       = flag.Duration("hold", 15*time.Second, "steady-state measurement window")
	lossHold   = flag.Duration("loss-hold", 10*time.Second, "window with 2 % loss")
	lossPM     = flag.Int("loss", 20, "injected loss, per mille of the generator's RTP packets")
	videoLimit = flag.Int("video-limit", 8, "above 12 participants, only this many publish video")
	lateJoins  = flag.Int("late", 3, "late joiners per run")
	sfuhost    = flag.String("sfuhost", "bin/sfuhost", "Parley's sfuhost binary")
	lkBin      = flag.String("livekit", os.ExpandEnv("$HOME/.cache/parley-bench/livekit-server-v1.9.11"), "livekit-server binary")
	targets    = flag.String("targets", "parley,livekit", "which servers")
)

type result struct {
	target        string
	n, videoPubs  int
	cpu           float64 // % of one core
	pps, expected float64 // generator packets received per second; sent × subscribers
	otherPPS      float64 // received packets that no generator sent (padding, probes)
	rssMB         float64
	late          []time.Duration
	clean, lossy  [2]float64 // delivery ratio, by kind
	genCPU, busy  float64
	missingTracks int
	joinedIn      time.Duration
}

func main() {
	flag.Parse()
	log.SetFlags(log.Ltime)
	lksdk.SetLogger(protoLogger.GetDiscardLogger())
	printMachine()

	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 || n > maxParticipants {
			log.Fatalf("bad -n %q", s)
		}
		ns = append(ns, n)
	}
	dir, err := os.MkdirTemp("", "sfubench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var ts []target
	for _, name := range strings.Split(*targets, ",") {
		switch name {
		case "parley":
			ts = append(ts, &parleyTarget{bin: *sfuhost})
		case "livekit":
			if _, err := os.Stat(*lkBin); err != nil {
				log.Printf("no livekit-server at %s: LiveKit skipped", *lkBin)
				continue
			}
			ts = append(ts, &livekitTarget{bin: *lkBin, dir: dir})
		}
	}
	var results []result
	for _, n := range ns {
		for _, t := range ts {
			r, err := run(t, n)
			if err != nil {
				log.Printf("%s N=%d: %v", t.name(), n, err)
				continue
			}
			printResult(r)
			results = append(results, r)
		}
	}
	printTable(results)
}

func videoPublishers(n int) int {
	if n > 12 {
		return min(n, *videoLimit)
	}
	return n
}

func run(t target, n int) (res result, err error) {
	res = result{target: t.name(), n: n, videoPubs: videoPublishers(n)}
	log.Printf("%s N=%d: starting (%d publish video)", t.name(), n, res.videoPubs)
	pid, err := t.start()
	if err != nil {
		return res, err
	}
	defer t.stop()
	room := fmt.Sprintf("bench-%d", n)
	var loss atomic.Int32
	var total atomic.Int64
	parts := make([]*participant, n)
	rxs := make([]*receiver, n)
	leaves := make([]func(), 0, n)
	defer func() {
		var wg sync.WaitGroup
		for _, leave := range leaves {
			wg.Go(leave)
		}
		wg.Wait()
		for _, p := range parts {
			if p != nil {
				p.close()
			}
		}
	}()
	began := time.Now()
	for i := range n {
		p := newParticipant(i, i < res.videoPubs)
		rx := newReceiver(&total, true)
		leave, err := t.join(room, p.name, p, rx, &loss)
		if err != nil {
			return res, fmt.Errorf("join %s: %w", p.name, err)
		}
		parts[i], rxs[i] = p, rx
		leaves = append(leaves, leave)
		p.start()
	}
	// Every receiver gets every other participant's tracks.
	deadline := time.Now().Add(60 * time.Second)
	for {
		res.missingTracks = 0
		for i, rx := range rxs {
			for j, p := range parts {
				if i == j {
					continue
				}
				if !rx.seen[j][kindAudio].Load() {
					res.missingTracks++
				}
				if p.video && !rx.seen[j][kindVideo].Load() {
					res.missingTracks++
				}
			}
		}
		if res.missingTracks == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	res.joinedIn = time.Since(began)
	if res.missingTracks > 0 {
		log.Printf("%s N=%d: %d tracks never came", t.name(), n, res.missingTracks)
	}
	time.Sleep(3 * time.Second)

	// Steady state: CPU, rate, memory, delivery.
	c0 := counters(parts)
	s0 := snapshot(pid, &total)
	o0 := otherPackets.Load()
	time.Sleep(*hold)
	s1 := snapshot(pid, &total)
	c1 := counters(parts)
	dt := s1.at.Sub(s0.at).Seconds()
	res.cpu = 100 * (s1.procCPU - s0.procCPU) / dt
	res.genCPU = 100 * (s1.selfCPU - s0.selfCPU) / dt
	res.busy = 100 * (1 - (s1.idle-s0.idle)/(s1.all-s0.all))
	res.pps = float64(s1.received-s0.received) / dt
	res.otherPPS = float64(otherPackets.Load()-o0) / dt
	res.rssMB = rssMB(pid)
	for i := range n {
		for j, p := range parts {
			if i == j {
				continue
			}
			res.expected += float64(c1[j][kindAudio]-c0[j][kindAudio]) / dt
			if p.video {
				res.expected += float64(c1[j][kindVideo]-c0[j][kindVideo]) / dt
			}
		}
	}
	time.Sleep(time.Second)
	res.clean = delivery(parts, rxs, c0, c1)

	// Loss.
	c0 = counters(parts)
	loss.Store(int32(*lossPM))
	time.Sleep(*lossHold)
	loss.Store(0)
	c1 = counters(parts)
	time.Sleep(2 * time.Second)
	res.lossy = delivery(parts, rxs, c0, c1)

	// Late joiners: join request → first complete key frame.
	var lateTotal atomic.Int64
	var noLoss atomic.Int32
	for k := range *lateJoins {
		rx := newReceiver(&lateTotal, false)
		start := time.Now()
		leave, err := t.join(room, fmt.Sprintf("late%d", k), nil, rx, &noLoss)
		if err != nil {
			log.Printf("late joiner: %v", err)
			continue
		}
		select {
		case <-rx.keyDone:
			res.late = append(res.late, time.Unix(0, rx.firstKey.Load()).Sub(start))
		case <-time.After(10 * time.Second):
			log.Printf("%s N=%d: late joiner saw no key frame in 10 s", t.name(), n)
		}
		leave()
		time.Sleep(2 * time.Second)
	}
	return res, nil
}

func counters(parts []*participant) [][2]uint32 {
	c := make([][2]uint32, len(parts))
	for i, p := range parts {
		c[i] = [2]uint32{p.sent[kindAudio].Load(), p.sent[kindVideo].Load()}
	}
	return c
}

// delivery is the share of the packets sent in [c0, c1) that reached
// each receiver, by kind.
func delivery(parts []*participant, rxs []*receiver, c0, c1 [][2]uint32) [2]float64 {
	var got, want [2]int
	for i, rx := range rxs {
		for j, p := range parts {
			if i == j {
				continue
			}
			for kind := range 2 {
				if kind == kindVideo && !p.video {
					continue
				}
				got[kind] += rx.marks[j][kind].count(c0[j][kind], c1[j][kind])
				want[kind] += int(c1[j][kind] - c0[j][kind])
			}
		}
	}
	var out [2]float64
	for k := range 2 {
		if want[k] > 0 {
			out[k] = float64(got[k]) / float64(want[k])
		}
	}
	return out
}

type snap struct {
	at               time.Time
	procCPU, selfCPU float64 // seconds
	idle, all        float64 // machine jiffies
	received         int64
}

func snapshot(pid int, total *atomic.Int64) snap {
	s := snap{at: time.Now(), received: total.Load(), procCPU: procCPU(pid)}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	s.selfCPU = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		for i, f := range strings.Fields(line)[1:] {
			v, _ := strconv.ParseFloat(f, 64)
			if i < 8 { // user … steal; guest is counted in user
				s.all += v
			}
			if i == 3 || i == 4 {
				s.idle += v
			}
		}
	}
	return s
}

// procCPU is the user and system time of a process, in seconds, from
// /proc/<pid>/stat (clock ticks of 1/100 s).
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100
}

func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func (r result) cpuPer10k() float64 {
	if r.pps == 0 {
		return 0
	}
	return r.cpu / (r.pps / 10000)
}

func printMachine() {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	osName := ""
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	fmt.Printf("machine: %s, %d CPUs, %s, %s %s/%s\n", model, runtime.NumCPU(), osName, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func printResult(r result) {
	fmt.Printf("%s N=%d (%d video): server CPU %.1f %% of a core, forwarded %.0f pkt/s (expected %.0f; %.0f other pkt/s), %.1f %% per 10k pkt/s, RSS %.0f MB, late join first key frame %v (median of %v), delivery clean audio %.4f video %.4f, 2%% loss audio %.4f video %.4f; generator CPU %.0f %%, machine busy %.0f %%, all joined in %v\n",
		r.target, r.n, r.videoPubs, r.cpu, r.pps, r.expected, r.otherPPS, r.cpuPer10k(), r.rssMB,
		median(r.late).Round(time.Millisecond), roundAll(r.late), r.clean[0], r.clean[1], r.lossy[0], r.lossy[1],
		r.genCPU, r.busy, r.joinedIn.Round(100*time.Millisecond))
}

func roundAll(d []time.Duration) []time.Duration {
	out := make([]time.Duration, len(d))
	for i, v := range d {
		out[i] = v.Round(time.Millisecond)
	}
	return out
}

func printTable(rs []result) {
	fmt.Println()
	fmt.Println("| server | N | video publishers | server CPU (% of a core) | forwarded pkt/s (expected) | CPU % per 10k pkt/s | RSS MB | late join → first key frame (median) | delivery, 2 % loss (audio / video) | generator CPU % | machine busy % |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range rs {
		fmt.Printf("| %s | %d | %d | %.1f | %.0f (%.0f) | %.2f | %.0f | %v | %.4f / %.4f | %.0f | %.0f |\n",
			r.target, r.n, r.videoPubs, r.cpu, r.pps, r.expected, r.cpuPer10k(), r.rssMB,
			median(r.late).Round(time.Millisecond), r.lossy[0], r.lossy[1], r.genCPU, r.busy)
	}
	fmt.Println()
	fmt.Println("| N | Parley/LiveKit CPU per forwarded packet | Parley/LiveKit late-join first frame |")
	fmt.Println("| --- | --- | --- |")
	for _, p := range rs {
		if p.target != "Parley" {
			continue
		}
		for _, l := range rs {
			if l.target != "LiveKit" || l.n != p.n {
				continue
			}
			ratio := func(a, b float64) string {
				if b == 0 {
					return "n/a"
				}
				return fmt.Sprintf("%.2f", a/b)
			}
			fmt.Printf("| %d | %s | %s |\n", p.n, ratio(p.cpuPer10k(), l.cpuPer10k()),
				ratio(float64(median(p.late)), float64(median(l.late))))
		}
	}
}

package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/harness"
)

// The desktop app's benchmarks: the real `parley` binary (and, for the
// rendering, bench/cmd/videorender) under an Xvfb of the benchmark's own,
// each in a process group of its own, ended when the benchmark ends.
// Xvfb's GL is Mesa's software rasterizer (llvmpipe), so every figure
// includes drawing on the CPU. Figures are printed, never asserted.

// reportShownEnv is app.ReportShownEnv (not imported: it would link Fyne
// and GL into this benchmark binary).
const reportShownEnv = "PARLEY_REPORT_SHOWN"

// clockTicks is USER_HZ, the unit of utime and stime in /proc (100 on
// Linux).
const clockTicks = 100

// xvfb is a virtual X server of the benchmark's own.
type xvfb struct{ *harness.Xvfb }

func startXvfb(b *testing.B) *xvfb { return &xvfb{harness.StartXvfb(b, "xdotool")} }

// envIn is the environment of a client of x with a home directory of its
// own (Fyne's preferences and caches), made under dir.
func (x *xvfb) envIn(b *testing.B, dir string) []string {
	b.Helper()
	home, err := os.MkdirTemp(dir, "home-")
	if err != nil {
		b.Fatal(err)
	}
	return append(slices.Clone(x.Env), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
}

// window is the id of a visible window whose name matches, or "".
func (x *xvfb) window(name string) string {
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", name)
	cmd.Env = x.Env
	out, _ := cmd.Output()
	if f := strings.Fields(string(out)); len(f) > 0 {
		return f[0]
	}
	return ""
}

func (x *xvfb) xdotool(b *testing.B, args ...string) {
	b.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = x.Env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("xdotool %v: %v\n%s", args, err, out)
	}
}

func waitUntil(b *testing.B, d time.Duration, what string, cond func() bool, why func() string) {
	b.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("waiting for %s: gave up after %s\n%s", what, d, why())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// procStatus is a field of /proc/PID/status, in KiB.
func procStatus(pid int, field string) int64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb
		}
	}
	return 0
}

// mappedRSS sums the resident KiB of a process's mappings whose path
// contains any of the substrings.
func mappedRSS(pid int, subs ...string) int64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	var sum int64
	match := false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if !strings.HasSuffix(f[0], ":") { // a mapping's header line
			match = false
			if len(f) >= 6 {
				path := strings.Join(f[5:], " ")
				for _, s := range subs {
					match = match || strings.Contains(path, s)
				}
			}
			continue
		}
		if f[0] == "Rss:" && match {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			sum += kb
		}
	}
	return sum
}

// statTicks is utime+stime of a /proc stat line, and the comm it names.
func statTicks(path string) (ticks int64, comm string, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, "", false
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return 0, "", false
	}
	f := strings.Fields(s[end+1:]) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, "", false
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st, s[open+1 : end], true
}

// cpuSample is a process's CPU time so far, split by thread: the main
// thread (Fyne's event loop and GL calls), Mesa's llvmpipe rasterizer
// threads, and the rest (Go's other threads: conversion, codecs,
// network).
type cpuSample struct {
	at                    time.Time
	total, main, llvmpipe int64
}

func sampleCPU(pid int) cpuSample {
	s := cpuSample{at: time.Now()}
	s.total, _, _ = statTicks(fmt.Sprintf("/proc/%d/stat", pid))
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		ticks, comm, ok := statTicks(fmt.Sprintf("/proc/%d/task/%s/stat", pid, t.Name()))
		switch {
		case !ok:
		case t.Name() == strconv.Itoa(pid):
			s.main += ticks
		case strings.HasPrefix(comm, "llvmpipe"):
			s.llvmpipe += ticks
		}
	}
	return s
}

// cpuUse is the share of one core used between two samples, in per cent.
type cpuUse struct{ total, main, llvmpipe, other, xvfb float64 }

func cpuBetween(a, b, xa, xb cpuSample) cpuUse {
	secs := b.at.Sub(a.at).Seconds()
	pct := func(t int64) float64 { return float64(t) / clockTicks / secs * 100 }
	u := cpuUse{total: pct(b.total - a.total), main: pct(b.main - a.main), llvmpipe: pct(b.llvmpipe - a.llvmpipe), xvfb: pct(xb.total - xa.total)}
	u.other = u.total - u.main - u.llvmpipe
	return u
}

func (u cpuUse) String() string {
	return fmt.Sprintf("%5.1f %% (main thread %4.1f, llvmpipe %4.1f, other threads %4.1f; Xvfb %4.1f)", u.total, u.main, u.llvmpipe, u.other, u.xvfb)
}

func medianOf(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkDesktopStart times the real parley binary from just before it
// is started to its first window on the screen, as the app reports it
// (PARLEY_REPORT_SHOWN: the first turn of Fyne's event loop, after the
// windows shown before it were mapped and drawn): plain `parley` (the
// sign-in window) and `parley --demo` (which starts the embedded server
// before its two windows), 5 starts each, a fresh home directory each
// time.
func BenchmarkDesktopStart(b *testing.B) {
	const starts = 5
	for b.Loop() {
		dir := b.TempDir()
		bin := harness.Binary(b, "parley")
		x := startXvfb(b)
		report := map[string][]float64{}
		for _, kind := range []string{"sign-in", "demo"} {
			for i := range starts {
				run := filepath.Join(dir, fmt.Sprintf("%s-%d", kind, i))
				if err := os.MkdirAll(run, 0o700); err != nil {
					b.Fatal(err)
				}
				shown := filepath.Join(run, "shown")
				args := []string{"--data", filepath.Join(run, "data"), "--addr", "127.0.0.1:0"}
				if kind == "demo" {
					args = append(args, "--demo")
				}
				cmd := exec.Command(bin, args...)
				cmd.Env = append(x.envIn(b, run), reportShownEnv+"="+shown)
				start := time.Now()
				p := harness.StartProcess(b, cmd)
				var at int64
				waitUntil(b, 30*time.Second, "the first window", func() bool {
					if p.Exited() {
						b.Fatalf("%s: parley ended\n%s", kind, p.Out.String())
					}
					data, err := os.ReadFile(shown)
					if err != nil || !bytes.HasSuffix(data, []byte("\n")) {
						return false
					}
					at, err = strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
					return err == nil
				}, p.Out.String)
				if x.window("Parley") == "" {
					b.Fatalf("%s: the app reported a window, xdotool sees none\n%s", kind, p.Out.String())
				}
				p.Stop()
				report[kind] = append(report[kind], float64(at-start.UnixNano())/1e6)
			}
		}
		fmt.Printf("desktop app, process start → first window shown (Xvfb, software GL), %d starts each:\n", starts)
		for _, kind := range []string{"sign-in", "demo"} {
			v := report[kind]
			name := map[string]string{"sign-in": "parley (sign-in window)", "demo": "parley --demo (server + 2 windows)"}[kind]
			fmt.Printf("  %-36s median %4.0f ms, min %4.0f ms, max %4.0f ms\n", name, medianOf(v), slices.Min(v), slices.Max(v))
			b.ReportMetric(medianOf(v), kind+"-start-median-ms")
		}
		fmt.Printf("  machine: %s\n", machine())
	}
}

// BenchmarkDesktopIdleRSS measures the resident memory of the real parley
// binary once it has settled: the sign-in window alone, and `parley
// --demo` with alice and bob signed in (two sessions and their windows,
// the embedded server in the same process). RSS is sampled once a second
// for 5 s after 10 s of settling; the median is the figure. Xvfb's
// software GL (Mesa llvmpipe, libLLVM) is resident in both and is shown
// on its own.
func BenchmarkDesktopIdleRSS(b *testing.B) {
	for b.Loop() {
		dir := b.TempDir()
		bin := harness.Binary(b, "parley")
		x := startXvfb(b)
		fmt.Printf("desktop app, idle resident memory (Xvfb, software GL), settled 10 s, median of 5 samples:\n")
		for _, kind := range []string{"sign-in", "demo"} {
			run := filepath.Join(dir, kind)
			args := []string{"--data", filepath.Join(run, "data"), "--addr", "127.0.0.1:0"}
			if kind == "demo" {
				args = append(args, "--demo")
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(x.envIn(b, dir), "GODEBUG=gctrace=1") // the Go heap, at each collection
			p := harness.StartProcess(b, cmd)
			waitUntil(b, 30*time.Second, "the window", func() bool { return x.window("Parley") != "" }, p.Out.String)
			if kind == "demo" {
				waitUntil(b, 30*time.Second, "alice and bob signed in", func() bool {
					return x.window("Parley — alice") != "" && x.window("Parley — bob") != "" &&
						strings.Contains(p.Out.String(), "registered user=bob")
				}, p.Out.String)
			}
			time.Sleep(10 * time.Second)
			var rss, anon, file []float64
			for range 5 {
				rss = append(rss, float64(procStatus(p.Pid(), "VmRSS"))/1024)
				anon = append(anon, float64(procStatus(p.Pid(), "RssAnon"))/1024)
				file = append(file, float64(procStatus(p.Pid(), "RssFile"))/1024)
				time.Sleep(time.Second)
			}
			gl := float64(mappedRSS(p.Pid(), "libLLVM", "swrast_dri", "/dri/", "libgallium")) / 1024
			self := float64(mappedRSS(p.Pid(), bin)) / 1024
			if p.Exited() {
				b.Fatalf("%s: parley ended\n%s", kind, p.Out.String())
			}
			p.Stop()
			name := map[string]string{"sign-in": "parley, sign-in window", "demo": "parley --demo, alice and bob signed in"}[kind]
			fmt.Printf("  %-40s RSS %5.1f MB (min %.1f, max %.1f): anonymous %.1f MB, files %.1f MB "+
				"(of which Mesa/LLVM %.1f MB, the parley binary %.1f MB); Go heap %s\n",
				name, medianOf(rss), slices.Min(rss), slices.Max(rss), medianOf(anon), medianOf(file), gl, self, goHeap(p.Out.String()))
			b.ReportMetric(medianOf(rss), kind+"-rss-MB")
		}
		fmt.Printf("  (MB = MiB) machine: %s\n", machine())
	}
}

// goHeap describes the Go heap at the last collection of a gctrace log:
// "live L MB (peak P MB)", where the peak is the largest heap before a
// collection.
func goHeap(log string) string {
	var live, peak int
	seen := false
	for _, line := range strings.Split(log, "\n") {
		if !strings.HasPrefix(line, "gc ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if p := strings.Split(f, "->"); len(p) == 3 {
				before, _ := strconv.Atoi(p[0])
				after, _ := strconv.Atoi(p[2])
				live, peak, seen = after, max(peak, before), true
				break
			}
		}
	}
	if !seen {
		return "unknown"
	}
	return fmt.Sprintf("live %d MB (peak %d MB)", live, peak)
}

// BenchmarkDesktopVideoRender measures the CPU of showing a 640x480 remote
// video at 30 frames a second, YCbCr → RGBA conversion included, under
// Xvfb, in one run:
//
//   - bare: the bare Fyne recipe (bench/cmd/videorender -mode bare);
//   - screen: the app's video call screen, views.CallScreens, fed as the
//     app feeds it (-mode screen), with the same frames; its controls hide
//     while nobody moves the pointer, so also with them kept shown
//     (-controls), with the local preview at 15 frames a second
//     (-preview), and, to tell what the new buffer per frame costs, with
//     buffers reused (-reuse);
//   - demo: the real `parley --demo --demo-call video`, bob accepting with
//     Enter: one process holding both sides of a video call (two test
//     sources, two VP8 encoders and decoders, two call windows with their
//     previews), for scale.
//
// Each videorender run is measured over 10 s after 3 s of warm-up, from
// /proc/PID/stat utime+stime; the modes alternate over 3 rounds and the
// median of each is the figure. The ratio is screen / bare.
func BenchmarkDesktopVideoRender(b *testing.B) {
	const (
		rounds = 3
		warmup = 3 * time.Second
		window = 10 * time.Second
	)
	type mode struct{ name, label string }
	modes := []mode{
		{"bare", "bare recipe"},
		{"screen", "app call screen"},
		{"screen -controls", "app call screen, controls shown"},
		{"screen -preview", "app call screen + local preview"},
		{"screen -reuse", "app call screen, buffers reused"},
	}
	for b.Loop() {
		dir := b.TempDir()
		render := harness.Binary(b, "bench/cmd/videorender")
		bin := harness.Binary(b, "parley")
		x := startXvfb(b)
		measure := func(p *harness.Process, d time.Duration) cpuUse {
			a, xa := sampleCPU(p.Pid()), sampleCPU(x.Pid())
			time.Sleep(d)
			z, xz := sampleCPU(p.Pid()), sampleCPU(x.Pid())
			if p.Exited() {
				b.Fatalf("%s ended while measured\n%s", p.Cmd.Path, p.Out.String())
			}
			return cpuBetween(a, z, xa, xz)
		}
		uses := map[string][]cpuUse{}
		for r := range rounds {
			for _, m := range modes {
				args := append(strings.Fields("-mode "+m.name), "-duration", (warmup + window + time.Second).String())
				cmd := exec.Command(render, args...)
				cmd.Env = x.envIn(b, dir)
				p := harness.StartProcess(b, cmd)
				time.Sleep(warmup)
				u := measure(p, window)
				<-p.Done()
				shown := ""
				for _, line := range strings.Split(p.Out.String(), "\n") {
					if strings.HasPrefix(line, "frames shown") {
						shown = line
					}
				}
				if shown == "" {
					b.Fatalf("videorender %s printed no frame count:\n%s", m.name, p.Out.String())
				}
				fmt.Printf("  round %d %-34s %s; %s\n", r+1, m.label+":", u, shown)
				uses[m.name] = append(uses[m.name], u)
			}
		}

		// The real app: both sides of a demo video call in one process.
		cmd := exec.Command(bin, "--demo", "--demo-call", "video", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0")
		cmd.Env = x.envIn(b, dir)
		p := harness.StartProcess(b, cmd)
		var invite string
		waitUntil(b, 60*time.Second, "bob's invite window", func() bool { invite = x.window("Incoming call"); return invite != "" }, p.Out.String)
		x.xdotool(b, "windowfocus", "--sync", invite)
		x.xdotool(b, "key", "Return")
		waitUntil(b, 30*time.Second, "the video call screen on both sides", func() bool {
			out := p.Out.String()
			return strings.Contains(out, "user=alice screen=video") && strings.Contains(out, "user=bob screen=video")
		}, p.Out.String)
		time.Sleep(warmup)
		demo := measure(p, window)
		p.Stop()

		med := func(name string, f func(cpuUse) float64) float64 {
			var v []float64
			for _, u := range uses[name] {
				v = append(v, f(u))
			}
			return medianOf(v)
		}
		total := func(u cpuUse) float64 { return u.total }
		render3 := func(u cpuUse) float64 { return u.main + u.llvmpipe }
		withX := func(u cpuUse) float64 { return u.total + u.xvfb }
		fmt.Printf("desktop app, CPU of a 640x480@30 remote video incl. YCbCr → RGBA (Xvfb, software GL), "+
			"%% of one core over %s, median of %d rounds:\n", window, rounds)
		for _, m := range modes {
			fmt.Printf("  %-34s %5.1f %%  (main thread + llvmpipe %4.1f; with Xvfb %5.1f)  × %.2f the bare recipe\n",
				m.label+":", med(m.name, total), med(m.name, render3), med(m.name, withX), med(m.name, total)/med("bare", total))
		}
		fmt.Printf("  parley --demo, video call (both sides): %s\n", demo)
		fmt.Printf("  machine: %s\n", machine())
		b.ReportMetric(med("bare", total), "bare-cpu-%")
		b.ReportMetric(med("screen", total), "screen-cpu-%")
		b.ReportMetric(med("screen", total)/med("bare", total), "screen/bare")
		b.ReportMetric(demo.total, "demo-call-cpu-%")
	}
}

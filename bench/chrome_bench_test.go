package bench

import (
	"cmp"
	"encoding/json"
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
	"parley/web/webtest"
)

// The measured call: after it is connected, warmUp for the encoders and
// Chrome's bandwidth estimate to settle, then window.
const (
	warmUp = 5 * time.Second
	window = 20 * time.Second
	// videoCap is media.Config.MaxVideoBitrate's default, the cap of
	// Parley's Go clients, given to Chrome's video sender too.
	videoCap = 1_500_000
)

// BenchmarkVersusChrome measures one 640x480@30 video call in each of
// three cases, the same input clip and the same video bitrate cap for
// all: parley-cli ↔ parley-cli, Chrome ↔ Chrome through Parley's browser
// client (two Chromiums, one per side), and Chrome ↔ parley-cli. For each
// side, over the same 20 s window: CPU of its whole process tree, the
// frames per second the other side decoded of its video, what it sent,
// and (on a Go receiver) the PSNR of what arrived against the clip. Then
// Parley against Chrome: CPU per frame per second.
func BenchmarkVersusChrome(b *testing.B) {
	for b.Loop() {
		clip := makeClip(b)
		cliCLI := measureCall(b, clip, cliSide, cliSide)
		chromeChrome := measureCall(b, clip, chromeSide, chromeSide)
		chromeCLI := measureCall(b, clip, chromeSide, cliSide)

		fmt.Printf("Parley against Chrome: one 640x480@30 video call a case, input %s, video capped at %d kb/s,\n"+
			"figures over %s after %s of warm-up (CPU: %% of one core, the whole process tree; fps: frames/s of its video the other side decoded)\n",
			clip, videoCap/1000, window, warmUp)
		fmt.Printf("  %-16s %-18s %6s %6s %9s %9s %-24s %9s\n", "case", "side", "CPU %", "fps", "kb/s out", "PSNR in", "Chrome sends, kb/s", "CPU/fps")
		cases := []struct {
			name string
			call [2]*side
		}{{"CLI ↔ CLI", cliCLI}, {"Chrome ↔ Chrome", chromeChrome}, {"Chrome ↔ CLI", chromeCLI}}
		for _, c := range cases {
			for _, s := range c.call {
				fmt.Printf("  %-16s %-18s %6.1f %6.1f %9.0f %9s %-24s %9.2f\n", c.name, s.role+" "+s.name,
					s.cpu, s.fpsDelivered, s.kbpsOut, s.psnrIn(), s.sends, s.cpuPerFPS())
				metric := strings.ToLower(strings.ReplaceAll(c.name, " ↔ ", "-")) + "-" + s.role
				b.ReportMetric(s.cpu, metric+"-cpu-%")
				b.ReportMetric(s.fpsDelivered, metric+"-fps")
				b.ReportMetric(s.kbpsOut, metric+"-kb/s")
			}
		}
		for _, c := range cases {
			for _, s := range c.call {
				if s.browser != nil {
					fmt.Printf("  %s, %s Chrome's CPU by process: %s\n", c.name, s.role, s.byProcess)
				}
			}
		}
		ratio := func(parley, chrome []*side) float64 { return cpuPerFPS(parley) / cpuPerFPS(chrome) }
		caller := ratio(cliCLI[:1], chromeChrome[:1])
		callee := ratio(cliCLI[1:], chromeChrome[1:])
		overall := ratio(cliCLI[:], chromeChrome[:])
		mixed := ratio(chromeCLI[1:], chromeCLI[:1])
		fmt.Printf("  Parley/Chrome, CPU per frame/s: caller %.2f, callee %.2f, overall %.2f; in the Chrome ↔ CLI call %.2f\n",
			caller, callee, overall, mixed)
		fmt.Printf("  machine: %s\n", machine())
		b.ReportMetric(caller, "ratio-caller")
		b.ReportMetric(callee, "ratio-callee")
		b.ReportMetric(overall, "ratio-overall")
		b.ReportMetric(mixed, "ratio-chrome-cli")
	}
}

// side is one side of a measured call: a parley-cli process or a
// headless Chromium with Parley's page, and its figures.
type side struct {
	name, role string // "parley-cli" or "Chrome"; "caller" or "callee"
	cli        *harness.Process
	browser    *webtest.Browser

	at     time.Time     // the window's start
	ticks  map[int]int64 // its process tree's CPU then
	stats0 chromeStats

	cpu          float64 // % of one core over the window
	fpsDecoded   float64 // of the other side's video
	fpsDelivered float64 // of its own video, decoded by the other side
	kbpsOut      float64 // everything it sent on the transport
	psnr         float64 // dB, of the video it received (a Go receiver only)
	sends        string  // what Chrome sends: WxH@fps, its bandwidth estimate, why less
	byProcess    string  // Chrome's CPU by kind of process
}

// startSide makes one side: its user is role, and a caller calls "callee".
type startSide func(b *testing.B, srv *harness.Server, clip clip, role string) *side

// clip is the input of every side: a Y4M video and a WAV sound.
type clip struct{ video, audio string }

func (c clip) String() string { return filepath.Base(c.video) + " + " + filepath.Base(c.audio) }

// makeClip renders the input once: 640x480@30 with motion and a frame
// number, and speech-like sound; sides loop it.
func makeClip(b *testing.B) clip {
	dir := b.TempDir()
	c := clip{video: filepath.Join(dir, "clip.y4m"), audio: filepath.Join(dir, "clip.wav")}
	cmd := exec.Command(harness.Binary(b, "media/cmd/makeclip"), "--video", c.video, "--audio", c.audio,
		"--size", "640x480", "--fps", "30", "--seconds", "10")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("makeclip: %v\n%s", err, out)
	}
	return c
}

func cliSide(b *testing.B, srv *harness.Server, c clip, role string) *side {
	args := []string{"answer", "--wait", "60s"}
	if role == "caller" {
		args = []string{"call", "callee", "--video"}
	}
	// The call hangs itself up once the window is over.
	args = append(args, "--hold", (warmUp + window + 5*time.Second).String(),
		"--video-file", c.video, "--audio-file", c.audio, "--compare", c.video)
	cmd := exec.Command(harness.Binary(b, "parley-cli"), append([]string{"--server", srv.URL, "--user", role}, args...)...)
	cmd.Env = append(os.Environ(), "PARLEY_PASSWORD=pw-"+role)
	return &side{name: "parley-cli", role: role, cli: harness.StartProcess(b, cmd)}
}

func chromeSide(b *testing.B, srv *harness.Server, c clip, role string) *side {
	br := webtest.Start(b, webtest.Options{FakeVideo: c.video, FakeAudio: c.audio})
	br.SignIn(srv.URL, role, "pw-"+role)
	if role == "caller" {
		br.OpenChat("callee")
		br.Call("video")
	}
	return &side{name: "Chrome", role: role, browser: br}
}

// measureCall has a caller of one kind call a callee of another, answers,
// and measures both over the window once the call runs.
func measureCall(b *testing.B, c clip, startCaller, startCallee startSide) [2]*side {
	srv := harness.StartServer(b, "")
	defer srv.Stop()
	srv.AddUser("caller", "pw-caller")
	srv.AddUser("callee", "pw-callee")
	// The callee first, so that the invite rings at once.
	callee := startCallee(b, srv, c, "callee")
	if callee.cli != nil {
		time.Sleep(700 * time.Millisecond) // its sign-in
	}
	caller := startCaller(b, srv, c, "caller")
	sides := [2]*side{caller, callee}
	if br := callee.browser; br != nil {
		br.Wait("#incoming h2", "caller invites you to a video call", 30*time.Second)
		br.Click("#accept")
	}
	for _, s := range sides {
		s.waitConnected(b)
	}
	time.Sleep(warmUp)
	for _, s := range sides {
		s.begin()
	}
	time.Sleep(window)
	for _, s := range sides {
		s.end(b)
	}
	// Chrome hangs up, or parley-cli's hold runs out.
	if caller.browser != nil {
		caller.browser.Click("#hangup")
	}
	for _, s := range sides {
		if s.cli != nil {
			s.finishCLI(b)
		} else {
			s.browser.Close() // not to weigh on the next case
		}
	}
	caller.fpsDelivered, callee.fpsDelivered = callee.fpsDecoded, caller.fpsDecoded
	return sides
}

// waitConnected waits until the call carries media, and caps Chrome's
// video sender as Parley's Go clients are capped.
func (s *side) waitConnected(b *testing.B) {
	if s.browser != nil {
		s.browser.Wait("#incall #timer", "00:0", 30*time.Second)
		var capped float64
		s.browser.Eval(fmt.Sprintf(`(async () => {
			const pc = window.__pcs.find((p) => p.connectionState === 'connected');
			const sender = pc.getSenders().find((s) => s.track?.kind === 'video');
			const p = sender.getParameters();
			p.encodings[0].maxBitrate = %d;
			await sender.setParameters(p);
			return sender.getParameters().encodings[0].maxBitrate;
		})()`, videoCap), &capped)
		if capped != videoCap {
			b.Fatalf("Chrome's video sender capped at %v b/s", capped)
		}
		return
	}
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(s.cli.Out.String(), `"event":"connected"`); {
		if time.Now().After(deadline) || s.cli.Exited() {
			b.Fatalf("%s %s: no call:\n%s", s.role, s.name, s.cli.Out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *side) pid() int {
	if s.browser != nil {
		return s.browser.PID()
	}
	return s.cli.Pid()
}

func (s *side) begin() {
	s.at, s.ticks = time.Now(), treeTicks(s.pid())
	if s.browser != nil {
		s.stats0 = readChromeStats(s.browser)
	}
}

// end takes the window's CPU and, from Chrome's getStats, what it decoded
// and sent; parley-cli's figures come from its output (finishCLI).
func (s *side) end(b *testing.B) {
	ticks, at := treeTicks(s.pid()), time.Now()
	secs := at.Sub(s.at).Seconds()
	pct := func(t int64) float64 { return float64(t) / clockTicks / secs * 100 }
	used := map[string]int64{}
	var kinds []string
	for pid, t := range ticks {
		t -= s.ticks[pid] // a process started in the window counts whole
		s.cpu += pct(t)
		if s.browser == nil {
			continue
		}
		kind := chromiumProcess(pid)
		if _, ok := used[kind]; !ok {
			kinds = append(kinds, kind)
		}
		used[kind] += t
	}
	if s.browser == nil {
		return
	}
	slices.SortFunc(kinds, func(a, b string) int { return cmp.Compare(used[b], used[a]) })
	for _, k := range kinds {
		s.byProcess += fmt.Sprintf(", %s %.1f", k, pct(used[k]))
	}
	s.byProcess = strings.TrimPrefix(s.byProcess, ", ")
	st := readChromeStats(s.browser)
	secs = (st.At - s.stats0.At) / 1000
	s.fpsDecoded = (st.FramesDecoded - s.stats0.FramesDecoded) / secs
	s.kbpsOut = (st.BytesSent - s.stats0.BytesSent) * 8 / secs / 1000
	s.sends = fmt.Sprintf("%.0fx%.0f@%.0f, BWE %.0f", st.Width, st.Height, st.FPS, st.Estimate/1000)
	if st.Limit != "none" {
		s.sends += ", less: " + st.Limit
	}
}

// finishCLI waits for parley-cli's summary and takes its figures: the
// mean of its stats lines (every 2 s, each of the 2 s before) in the
// window, and the PSNR of the whole call.
func (s *side) finishCLI(b *testing.B) {
	select {
	case <-s.cli.Done():
	case <-time.After(30 * time.Second):
		b.Fatalf("%s %s did not end its call:\n%s", s.role, s.name, s.cli.Out)
	}
	var n int
	var summary struct {
		Summary        bool    `json:"summary"`
		Outcome        string  `json:"outcome"`
		PSNR           float64 `json:"psnr_db"`
		FramesCompared int     `json:"frames_compared"`
	}
	for _, l := range strings.Split(s.cli.Out.String(), "\n") {
		var ev struct {
			Event  string `json:"event"`
			TimeMS int64  `json:"time_ms"`
			Stats  struct {
				BitrateOut float64 `json:"bitrate_out"`
				FrameRate  float64 `json:"frame_rate"`
			} `json:"stats"`
		}
		if json.Unmarshal([]byte(l), &ev) != nil {
			continue
		}
		if at := time.UnixMilli(ev.TimeMS); ev.Event == "stats" && at.After(s.at.Add(2*time.Second)) && !at.After(s.at.Add(window)) {
			n++
			s.fpsDecoded += ev.Stats.FrameRate
			s.kbpsOut += ev.Stats.BitrateOut / 1000
		}
		_ = json.Unmarshal([]byte(l), &summary)
	}
	if !summary.Summary || summary.Outcome != "completed" || n == 0 {
		b.Fatalf("%s %s: no stats in the window or no completed call:\n%s", s.role, s.name, s.cli.Out)
	}
	s.fpsDecoded /= float64(n)
	s.kbpsOut /= float64(n)
	if summary.FramesCompared > 0 {
		s.psnr = summary.PSNR
	}
}

func (s *side) psnrIn() string {
	if s.psnr == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f dB", s.psnr)
}

// cpuPerFPS is the side's CPU per frame per second: it encodes the frames
// it delivers and decodes those it receives, so the mean of the two.
func (s *side) cpuPerFPS() float64 { return cpuPerFPS([]*side{s}) }

func cpuPerFPS(sides []*side) float64 {
	var cpu, fps float64
	for _, s := range sides {
		cpu += s.cpu
		fps += (s.fpsDelivered + s.fpsDecoded) / 2
	}
	return cpu / fps
}

// chromeStats is what the page's connected peer connection's getStats
// says: its video decoded, what its encoder sends, and the bytes sent on
// the transport (media, RTCP and overhead, as parley-cli's bitrate_out).
type chromeStats struct {
	At            float64 // ms, the page's clock
	FramesDecoded float64
	BytesSent     float64
	Width, Height float64
	FPS           float64
	Limit         string  // qualityLimitationReason: none, cpu, bandwidth
	Estimate      float64 // b/s: its bandwidth estimate (availableOutgoingBitrate)
}

func readChromeStats(br *webtest.Browser) chromeStats {
	var st chromeStats
	br.Eval(`(async () => {
		const pc = window.__pcs.find((p) => p.connectionState === 'connected');
		const out = {At: performance.now()};
		const report = await pc.getStats();
		report.forEach((s) => {
			if (s.type === 'inbound-rtp' && s.kind === 'video') out.FramesDecoded = s.framesDecoded;
			if (s.type === 'outbound-rtp' && s.kind === 'video') Object.assign(out, {Width: s.frameWidth,
				Height: s.frameHeight, FPS: s.framesPerSecond, Limit: s.qualityLimitationReason});
			if (s.type === 'transport') Object.assign(out, {BytesSent: s.bytesSent,
				Estimate: report.get(s.selectedCandidatePairId)?.availableOutgoingBitrate || 0});
		});
		return out;
	})()`, &st)
	return st
}

// chromiumProcess is the kind of a Chromium process, from its command
// line: browser, zygote, renderer, gpu-process, or a utility process's
// service (network, audio, ...).
func chromiumProcess(pid int) string {
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	kind := "browser"
	// Chromium rewrites its command line: arguments apart by spaces.
	for _, arg := range strings.FieldsFunc(string(cmdline), func(r rune) bool { return r == 0 || r == ' ' }) {
		if v, ok := strings.CutPrefix(arg, "--type="); ok && kind == "browser" {
			kind = v
		}
		if v, ok := strings.CutPrefix(arg, "--utility-sub-type="); ok {
			kind = strings.TrimSuffix(strings.Split(v, ".")[0], "_service")
		}
	}
	return kind
}

// treeTicks is the CPU time so far (user + system, in clock ticks) of
// every process in the tree under root, root included, by pid: for
// Chromium its browser, zygote, renderer, GPU and utility processes.
func treeTicks(root int) map[int]int64 {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "PPid:"); ok {
				ppid, _ := strconv.Atoi(strings.TrimSpace(v))
				children[ppid] = append(children[ppid], pid)
			}
		}
	}
	ticks := map[int]int64{}
	for todo := []int{root}; len(todo) > 0; {
		pid := todo[len(todo)-1]
		todo = append(todo[:len(todo)-1], children[pid]...)
		if t, _, ok := statTicks(fmt.Sprintf("/proc/%d/stat", pid)); ok {
			ticks[pid] = t
		}
	}
	return ticks
}

package bench

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"parley/media/audioproc"
	"parley/media/audioproc/audiotest"
)

// BenchmarkAudioproc measures both libraries of media/audioproc on the
// same generated signals (audiotest): echo return loss enhancement,
// double-talk loss, noise reduction, latency and CPU time.
func BenchmarkAudioproc(b *testing.B) {
	for b.Loop() {
		fmt.Println("audio processing chain, 48 kHz mono, 10 ms frames (goals: ERLE >= 30 dB, <= 2 % of a core, <= 10 ms added):")
		for _, lib := range []audioproc.Lib{audioproc.LibWebRTC, audioproc.LibSpeex} {
			newP := func(o audioproc.Options) audioproc.Processor {
				p, err := audioproc.New(lib, o)
				if err != nil {
					b.Fatal(err)
				}
				return p
			}
			r := audiotest.Measure(newP)
			cpu := cpuPerSecond(newP)
			// The lever a person has: the noise suppressor's blocks are
			// half of the latency (Settings, "Noise suppression").
			withoutNS := audiotest.Latency(func(o audioproc.Options) audioproc.Processor {
				o.NoiseSuppress = false
				return newP(o)
			})
			fmt.Printf("  %-6s ERLE %.1f dB at 100 ms (%.1f at 20 ms, %.1f at 200 ms); after a 40 ms delay jump %.1f dB in the first 2 s, %.1f dB after;\n"+
				"         double-talk near-end loss %.1f dB; fan noise -%.1f dB, speech over it %.1f dB lost; added latency %.1f ms (%.1f ms without noise suppression); CPU %.2f %% of a core\n",
				lib, r.ERLE, r.ERLE20, r.ERLE200, r.JumpWithin, r.JumpAfter, r.DoubleTalk, r.NoiseReduction, r.SpeechLoss, r.Latency, withoutNS, cpu)
			b.ReportMetric(r.ERLE, string(lib)+"-erle-dB")
			b.ReportMetric(cpu, string(lib)+"-cpu-%")
		}
	}
}

// cpuPerSecond is the CPU time (user and system, this process) the whole
// chain takes per second of audio with double talk and noise, in percent
// of one core.
func cpuPerSecond(newP audiotest.New) float64 {
	const secs = 20
	far := audiotest.Speech(1, secs, 120)
	near := audiotest.Add(audiotest.Echo(far, audiotest.Path{Delay: 0.1, Gain: -6, Seed: 7}, nil, 0),
		audiotest.Speech(2, secs, 210), audiotest.Fan(5, secs, -30))
	p := newP(audioproc.On)
	defer p.Close()
	before := cpuTime()
	audiotest.Run(p, far, near)
	return float64(cpuTime()-before) / float64(secs*time.Second) * 100
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package audiotest

import (
	"fmt"

	"parley/media/audioproc"
)

// The scenarios of the tests and the benchmark. Each makes its own
// processor with New, so the figures of two libraries come from the
// same samples.

// New makes a processor for one measurement.
type New func(audioproc.Options) audioproc.Processor

// Echo options: the canceller and the noise suppressor (which also
// suppresses residual echo); the AGC is left out of level measurements,
// as it would move every level it sees.
var EchoOpts = audioproc.Options{EchoCancel: true, NoiseSuppress: true}

func floor(seconds float64) []int16 { return Fan(99, seconds, -70) }

// ERLE is the echo return loss enhancement in dB for far-end speech
// alone through an echo path of delay seconds (gain -6 dB), measured over
// everything after the first 2 s of convergence.
func ERLE(newP New, delay float64) float64 {
	const secs = 10
	far := Speech(1, secs, 120)
	echo := Echo(far, Path{Delay: delay, Gain: -6, Seed: 7}, nil, 0)
	p := newP(EchoOpts)
	defer p.Close()
	out, _ := Run(p, far, Add(echo, floor(secs)))
	from := Samples(2)
	return Level(echo, from, len(out)) - Level(out, from, len(out))
}

// ERLEJump is the ERLE over the 2 s that follow the first 2 s after the
// echo delay jumps by 40 ms (60 ms to 100 ms, at 6 s), and over the
// second after.
func ERLEJump(newP New) (within2s, after float64) {
	const secs = 11
	far := Speech(1, secs, 120)
	at := Samples(6)
	echo := Echo(far, Path{Delay: 0.06, Gain: -6, Seed: 7}, &Path{Delay: 0.10, Gain: -6, Seed: 7}, at)
	p := newP(EchoOpts)
	defer p.Close()
	out, _ := Run(p, far, Add(echo, floor(secs)))
	from := at + Samples(2)
	to := from + Samples(1)
	return Level(echo, at, from) - Level(out, at, from), Level(echo, from, to) - Level(out, from, to)
}

// DoubleTalk is how many dB the near-end talker loses when both talk: the
// level of the output over the frames where the near talker sounds
// (after 3 s of far end alone) against the near talker's own level there.
func DoubleTalk(newP New) float64 {
	const secs = 12
	far := Speech(1, secs, 120)
	echo := Echo(far, Path{Delay: 0.1, Gain: -6, Seed: 7}, nil, 0)
	talker := append(Silence(3), Speech(2, secs-3, 210)...)
	p := newP(EchoOpts)
	defer p.Close()
	out, _ := Run(p, far, Add(echo, talker, floor(secs)))
	from := Samples(3)
	return ActiveLevel(talker, talker, from) - ActiveLevel(out, talker, from)
}

// Noise is how many dB fan noise at -30 dBFS alone loses after 2 s, and
// how many dB speech over it loses (the output's level over the speech's
// frames against the clean speech's), with the noise suppressor alone.
func Noise(newP New) (reduction, speechLoss float64) {
	const secs = 10
	fan := Fan(5, secs, -30)
	ns := audioproc.Options{NoiseSuppress: true}
	p := newP(ns)
	out, _ := Run(p, nil, fan)
	p.Close()
	from := Samples(2)
	reduction = Level(fan, from, len(out)) - Level(out, from, len(out))

	speech := Speech(3, secs, 160)
	p = newP(ns)
	out, _ = Run(p, nil, Add(speech, fan))
	p.Close()
	speechLoss = ActiveLevel(speech, speech, from) - ActiveLevel(out, speech, from)
	return reduction, speechLoss
}

// Latency is the delay in ms the whole chain adds to near-end speech
// (found by correlation), beyond its 10 ms frames.
func Latency(newP New) float64 {
	const secs = 4
	speech := Speech(4, secs, 150)
	p := newP(audioproc.On)
	defer p.Close()
	out, _ := Run(p, nil, speech)
	from := Samples(2)
	return float64(Lag(speech[from:], out[from:], Samples(0.03))) * 1000 / rate
}

// Report is one library's figures.
type Report struct {
	ERLE, ERLE20, ERLE200, JumpWithin, JumpAfter, DoubleTalk, NoiseReduction, SpeechLoss, Latency float64
}

func Measure(newP New) Report {
	var r Report
	r.ERLE = ERLE(newP, 0.1)
	r.ERLE20 = ERLE(newP, 0.02)
	r.ERLE200 = ERLE(newP, 0.2)
	r.JumpWithin, r.JumpAfter = ERLEJump(newP)
	r.DoubleTalk = DoubleTalk(newP)
	r.NoiseReduction, r.SpeechLoss = Noise(newP)
	r.Latency = Latency(newP)
	return r
}

func (r Report) String() string {
	return fmt.Sprintf("ERLE %.1f dB (20 ms %.1f, 200 ms %.1f), after jump %.1f then %.1f dB, double talk loss %.1f dB, noise -%.1f dB, speech over noise loss %.1f dB, latency %.1f ms",
		r.ERLE, r.ERLE20, r.ERLE200, r.JumpWithin, r.JumpAfter, r.DoubleTalk, r.NoiseReduction, r.SpeechLoss, r.Latency)
}

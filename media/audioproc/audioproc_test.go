package audioproc_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"parley/media/audioproc"
	"parley/media/audioproc/audiotest"
)

// The thresholds are issue 12's. LibWebRTC, the chain calls use, must
// meet all of them; LibSpeex is measured in the benchmark but meets
// only the noise ones (see docs/benchmarks.md), so only those and the
// switches are tested on it.

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func maker(t testing.TB, lib audioproc.Lib) audiotest.New {
	return func(o audioproc.Options) audioproc.Processor {
		p, err := audioproc.New(lib, o)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
}

func TestEchoCancelled(t *testing.T) {
	t.Parallel()
	for _, delay := range []float64{0.02, 0.1, 0.2} {
		if erle := audiotest.ERLE(maker(t, audioproc.LibWebRTC), delay); erle < 20 {
			t.Errorf("echo delayed %v s: ERLE %.1f dB after 2 s, want >= 20", delay, erle)
		} else {
			t.Logf("echo delayed %v s: ERLE %.1f dB", delay, erle)
		}
	}
}

func TestDelayJump(t *testing.T) {
	t.Parallel()
	within, after := audiotest.ERLEJump(maker(t, audioproc.LibWebRTC))
	t.Logf("ERLE %.1f dB in the 2 s after a 40 ms delay jump, %.1f dB after", within, after)
	if after < 20 {
		t.Errorf("ERLE %.1f dB 2 s after the delay jump, want > 20", after)
	}
}

func TestDoubleTalk(t *testing.T) {
	t.Parallel()
	loss := audiotest.DoubleTalk(maker(t, audioproc.LibWebRTC))
	t.Logf("near-end speech loses %.1f dB in double talk", loss)
	if loss > 6 || loss < -6 {
		t.Errorf("near-end speech %.1f dB off its level in double talk, want within 6 dB", loss)
	}
}

func TestNoise(t *testing.T) {
	t.Parallel()
	for _, lib := range []audioproc.Lib{audioproc.LibWebRTC, audioproc.LibSpeex} {
		red, loss := audiotest.Noise(maker(t, lib))
		t.Logf("%s: fan noise -%.1f dB, speech over it %.1f dB", lib, red, loss)
		if red < 10 {
			t.Errorf("%s: fan noise reduced by %.1f dB, want >= 10", lib, red)
		}
		if loss > 3 || loss < -3 {
			t.Errorf("%s: speech over noise %.1f dB off its level, want within 3 dB", lib, loss)
		}
	}
}

func TestAutoGainRaisesQuietSpeech(t *testing.T) {
	t.Parallel()
	quiet := audiotest.Speech(6, 8, 140)
	for i := range quiet {
		quiet[i] /= 10 // -40 dBFS
	}
	for _, lib := range []audioproc.Lib{audioproc.LibWebRTC, audioproc.LibSpeex} {
		p := maker(t, lib)(audioproc.Options{AutoGain: true})
		out, _ := audiotest.Run(p, nil, quiet)
		p.Close()
		from := audiotest.Samples(4)
		gain := audiotest.ActiveLevel(out, quiet, from) - audiotest.ActiveLevel(quiet, quiet, from)
		t.Logf("%s: quiet speech raised %.1f dB", lib, gain)
		if gain < 6 {
			t.Errorf("%s: quiet speech raised %.1f dB, want >= 6", lib, gain)
		}
	}
}

func TestVoiceFlag(t *testing.T) {
	t.Parallel()
	speech := append(audiotest.Speech(8, 6, 130), audiotest.Silence(2)...)
	for _, lib := range []audioproc.Lib{audioproc.LibWebRTC, audioproc.LibSpeex} {
		for _, o := range []audioproc.Options{audioproc.On, {}} {
			p := maker(t, lib)(o)
			_, voice := audiotest.Run(p, nil, speech)
			p.Close()
			var hit, loud, falseAlarm, quiet int
			for k, v := range voice[100:] {
				i := (k + 100) * audioproc.FrameSize
				if audiotest.Level(speech, i, i+audioproc.FrameSize) > -30 {
					loud++
					if v {
						hit++
					}
				} else if i >= audiotest.Samples(6.5) {
					quiet++
					if v {
						falseAlarm++
					}
				}
			}
			t.Logf("%s %+v: voice in %d/%d loud frames, %d/%d silent", lib, o, hit, loud, falseAlarm, quiet)
			if hit*10 < loud*7 || falseAlarm*10 > quiet {
				t.Errorf("%s %+v: voice in %d/%d loud frames, %d/%d silent", lib, o, hit, loud, falseAlarm, quiet)
			}
		}
	}
}

// All off, OUT is NEAR bit for bit, whatever the far end, and also after
// being switched off mid-stream.
func TestOffIsBitExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	near := make([]int16, audiotest.Samples(3))
	for i := range near {
		near[i] = int16(rng.IntN(65536) - 32768)
	}
	far := audiotest.Speech(1, 3, 120)
	for _, lib := range []audioproc.Lib{audioproc.LibWebRTC, audioproc.LibSpeex} {
		p := maker(t, lib)(audioproc.Options{})
		out, _ := audiotest.Run(p, far, near)
		p.Close()
		if !slices.Equal(out, near) {
			t.Errorf("%s: all off changed the signal", lib)
		}

		p = maker(t, lib)(audioproc.On)
		half := len(near) / 2
		audiotest.Run(p, far[:half], near[:half])
		p.SetOptions(audioproc.Options{})
		out, _ = audiotest.Run(p, far[half:], near[half:])
		p.Close()
		if !slices.Equal(out, near[half:]) {
			t.Errorf("%s: switched off mid-stream, the signal still changes", lib)
		}
	}
}

// Far and Near from two goroutines at once, as the playback and capture
// callbacks call them (for the race detector), and Close leaves nothing.
func TestConcurrentFarNear(t *testing.T) {
	t.Parallel()
	p := maker(t, audioproc.LibWebRTC)(audioproc.On)
	done := make(chan struct{})
	frame := make([]int16, audioproc.FrameSize)
	go func() {
		defer close(done)
		f := make([]int16, audioproc.FrameSize)
		for range 300 {
			p.Far(f)
		}
	}()
	for range 300 {
		p.Near(frame, frame)
	}
	<-done
	p.SetDelay(50e6)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, goleak.IgnoreCurrent())
}

func TestBadInput(t *testing.T) {
	if _, err := audioproc.New("nope", audioproc.On); err == nil {
		t.Error("an unknown library made a processor")
	}
	p := maker(t, audioproc.LibSpeex)(audioproc.On)
	defer p.Close()
	defer func() {
		if recover() == nil {
			t.Error("a short frame did not panic")
		}
	}()
	p.Far(make([]int16, 10))
}

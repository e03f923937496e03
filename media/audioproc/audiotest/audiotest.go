// Package audiotest makes the test signals of audioproc's tests and
// benchmark, all from fixed seeds (the same samples on every run), and
// measures what comes out: speech-like voiced sound with a pitch contour
// and pauses, an echo path (delay, attenuation, a short reverberation
// tail), fan-like noise, and levels in dBFS.
package audiotest

import (
	"math"
	"math/rand/v2"

	"parley/media/audioproc"
)

const rate = audioproc.Rate

// Samples is how many samples s seconds are.
func Samples(s float64) int { return int(s * rate) }

var vowels = [][3]float64{
	{730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480}, {570, 840, 2410}, {440, 1020, 2240},
}

// resonator is a two-pole filter at a formant.
type resonator struct{ a1, a2, g, y1, y2 float64 }

func (r *resonator) tune(f, bw float64) {
	rr := math.Exp(-math.Pi * bw / rate)
	r.a1 = 2 * rr * math.Cos(2*math.Pi*f/rate)
	r.a2 = -rr * rr
	r.g = 1 - rr
}

func (r *resonator) step(x float64) float64 {
	y := r.g*x + r.a1*r.y1 + r.a2*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}

// Speech is seconds of a speech-like voice: words of two to four voiced
// syllables (a glottal pulse train through three formants that change
// per syllable, pitch around f0 with a contour over each word and a slow
// drift), separated by 200–600 ms pauses, at -20 dBFS while it sounds.
func Speech(seed uint64, seconds, f0 float64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	n := Samples(seconds)
	x := make([]float64, n)
	var rs [3]resonator
	phase := 0.0
	glottal := 0.0
	i := Samples(0.1 + 0.3*rng.Float64())
	for i < n {
		syllables := 2 + rng.IntN(3)
		wordLen := 0
		lens := make([]int, syllables)
		for k := range lens {
			lens[k] = Samples(0.12 + 0.13*rng.Float64())
			wordLen += lens[k]
		}
		rise := 0.8 + 0.4*rng.Float64() // the word's pitch contour
		pos := 0
		for _, l := range lens {
			v := vowels[rng.IntN(len(vowels))]
			for k := range rs {
				rs[k].tune(v[k]*(0.92+0.16*rng.Float64()), 70+40*float64(k))
			}
			amp := 0.6 + 0.4*rng.Float64()
			for j := 0; j < l && i < n; j, i = j+1, i+1 {
				t := float64(pos+j) / float64(wordLen)
				f := f0 * (rise + (1-rise)*t) * (1 + 0.08*math.Sin(2*math.Pi*float64(i)/rate*0.5)) * (1 + 0.1*math.Sin(math.Pi*t))
				phase += f / rate
				pulse := 0.0
				if phase >= 1 {
					phase -= 1
					pulse = 1
				}
				glottal = 0.9*glottal + pulse // a softened pulse
				e := glottal + 0.02*(rng.Float64()-0.5)
				env := amp * min(1, float64(j)/float64(Samples(0.025)), float64(l-j)/float64(Samples(0.04)))
				y := e
				for k := range rs {
					y = rs[k].step(y)
				}
				x[i] = env * y
			}
			pos += l
		}
		i += Samples(0.2 + 0.4*rng.Float64())
	}
	return toInt16(scaleActive(x, -20))
}

// scaleActive scales x so that its sounding part (above -40 dB of its
// peak's level) has an RMS of db dBFS.
func scaleActive(x []float64, db float64) []float64 {
	peak := 0.0
	for _, v := range x {
		peak = max(peak, math.Abs(v))
	}
	if peak == 0 {
		return x
	}
	var sum float64
	var cnt int
	for _, v := range x {
		if math.Abs(v) > peak*0.01 {
			sum += v * v
			cnt++
		}
	}
	g := math.Pow(10, db/20) * 32768 / math.Sqrt(sum/float64(cnt))
	for i := range x {
		x[i] *= g
	}
	return x
}

func toInt16(x []float64) []int16 {
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

// Path is an echo path: the direct sound Delay after the speaker played
// it, attenuated by Gain dB, and a reverberation tail of reflections
// decaying over about 40 ms.
type Path struct {
	Delay float64 // seconds
	Gain  float64 // dB, negative
	Seed  uint64
}

type tap struct {
	at int
	g  float64
}

func (p Path) taps() []tap {
	rng := rand.New(rand.NewPCG(p.Seed, 0xec40))
	g := math.Pow(10, p.Gain/20)
	d := Samples(p.Delay)
	ts := []tap{{d, g}}
	for range 60 {
		dt := 0.001 + 0.06*rng.Float64()
		a := g * 0.5 * math.Exp(-dt/0.012)
		if rng.IntN(2) == 0 {
			a = -a
		}
		ts = append(ts, tap{d + Samples(dt), a})
	}
	return ts
}

// Echo is what the microphone picks up of far through path, and, when
// jump is not nil, through *jump from sample jumpAt on (a delay change
// mid-stream).
func Echo(far []int16, path Path, jump *Path, jumpAt int) []int16 {
	out := make([]float64, len(far))
	convolve := func(p Path, from, to int) {
		for _, t := range p.taps() {
			for i := max(from, t.at); i < to; i++ {
				out[i] += t.g * float64(far[i-t.at])
			}
		}
	}
	if jump == nil {
		convolve(path, 0, len(far))
	} else {
		convolve(path, 0, jumpAt)
		convolve(*jump, jumpAt, len(far))
	}
	return toInt16(out)
}

// Fan is seconds of fan-like noise at db dBFS RMS: broadband rumble
// (brown-ish and low-passed white noise) with the blade tone at 87 Hz and
// its harmonics, slowly wavering.
func Fan(seed uint64, seconds, db float64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 0xfa4))
	n := Samples(seconds)
	x := make([]float64, n)
	var brown, lp float64
	for i := range x {
		w := rng.NormFloat64()
		brown = 0.995*brown + 0.05*w
		lp = 0.7*lp + 0.3*w
		t := float64(i) / rate
		am := 1 + 0.2*math.Sin(2*math.Pi*0.3*t)
		tone := 0.15 * am * (math.Sin(2*math.Pi*87*t) + 0.5*math.Sin(2*math.Pi*174*t+1) + 0.25*math.Sin(2*math.Pi*261*t+2))
		x[i] = brown + 0.5*lp + 0.2*w + tone
	}
	var sum float64
	for _, v := range x {
		sum += v * v
	}
	g := math.Pow(10, db/20) * 32768 / math.Sqrt(sum/float64(n))
	for i := range x {
		x[i] *= g
	}
	return toInt16(x)
}

// Add is the sum of the signals, clipped, as long as the first.
func Add(first []int16, rest ...[]int16) []int16 {
	out := make([]int16, len(first))
	for i := range out {
		s := int32(first[i])
		for _, r := range rest {
			if i < len(r) {
				s += int32(r[i])
			}
		}
		out[i] = int16(max(-32768, min(32767, s)))
	}
	return out
}

// Silence is seconds of zeros.
func Silence(seconds float64) []int16 { return make([]int16, Samples(seconds)) }

// Run feeds p far and near frame by frame in real-time order (the frame
// the speaker plays, then the frame the microphone took at the same
// time) and returns what it sends, and the voice flag of each frame.
func Run(p audioproc.Processor, far, near []int16) (out []int16, voice []bool) {
	n := len(near) / audioproc.FrameSize * audioproc.FrameSize
	out = make([]int16, n)
	zero := make([]int16, audioproc.FrameSize)
	for i := 0; i < n; i += audioproc.FrameSize {
		f := zero
		if i+audioproc.FrameSize <= len(far) {
			f = far[i : i+audioproc.FrameSize]
		}
		p.Far(f)
		voice = append(voice, p.Near(near[i:i+audioproc.FrameSize], out[i:i+audioproc.FrameSize]))
	}
	return out, voice
}

// Level is the RMS of x[from:to] in dBFS (-200 for silence).
func Level(x []int16, from, to int) float64 {
	to = min(to, len(x))
	var sum float64
	for _, v := range x[from:to] {
		sum += float64(v) * float64(v)
	}
	if sum == 0 || to <= from {
		return -200
	}
	return 10 * math.Log10(sum/float64(to-from)/(32768*32768))
}

// ActiveLevel is the RMS in dBFS of x over the frames from sample from on
// where ref sounds (its frame above -40 dBFS).
func ActiveLevel(x, ref []int16, from int) float64 {
	var sum float64
	var cnt int
	for i := from / audioproc.FrameSize * audioproc.FrameSize; i+audioproc.FrameSize <= min(len(x), len(ref)); i += audioproc.FrameSize {
		if Level(ref, i, i+audioproc.FrameSize) < -40 {
			continue
		}
		for _, v := range x[i : i+audioproc.FrameSize] {
			sum += float64(v) * float64(v)
		}
		cnt += audioproc.FrameSize
	}
	if sum == 0 {
		return -200
	}
	return 10 * math.Log10(sum/float64(cnt)/(32768*32768))
}

// Lag is the shift (0..maxLag samples) of out against in with the
// highest correlation over in's first seconds: the latency a chain adds.
func Lag(in, out []int16, maxLag int) int {
	best, bestC := 0, math.Inf(-1)
	n := min(len(in), len(out)) - maxLag
	for l := 0; l <= maxLag; l++ {
		var c float64
		for i := 0; i < n; i += 2 {
			c += float64(in[i]) * float64(out[i+l])
		}
		if c > bestC {
			best, bestC = l, c
		}
	}
	return best
}

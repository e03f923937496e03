package audioproc

import "math"

// delayEst is a coarse estimate of the echo delay, in 10 ms frames, for
// LibWebRTC's canceller: its own estimator searches only about 100 ms
// around the delay it is told, so it is told this one. It correlates the
// level envelopes of the far and near frames over the last estWin frames
// at every lag up to estMaxLag frames, every estEvery frames, and takes a
// new lag once it wins twice in a row with a clear correlation.
type delayEst struct {
	far     [estRing]float64 // far envelope by far frame index
	farN    int              // far frames seen
	near    [estWin]float64  // near envelope, ring
	nearPos [estWin]int      // farN when each near frame came
	nearN   int
	lag     int // frames; -1 unknown
	cand    int
}

const (
	estWin      = 150 // 1.5 s
	estMaxLag   = 40  // 400 ms
	estEvery    = 10
	estRing     = 1024
	estMinCor   = 0.5
	estResidual = 8
)

func newDelayEst() *delayEst { return &delayEst{lag: -1, cand: -1} }

func envelope(f []int16) float64 {
	var s float64
	for _, v := range f {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(f)))
}

func (d *delayEst) addFar(f []int16) {
	d.far[d.farN%estRing] = envelope(f)
	d.farN++
}

func (d *delayEst) addNear(f []int16) {
	i := d.nearN % estWin
	d.near[i] = envelope(f)
	d.nearPos[i] = d.farN
	d.nearN++
	if d.nearN >= estWin && d.nearN%estEvery == 0 {
		d.update()
	}
}

func (d *delayEst) update() {
	var nm float64
	for _, v := range d.near {
		nm += v
	}
	nm /= estWin
	best, bestC := -1, estMinCor
	for lag := 0; lag <= estMaxLag; lag++ {
		var fm float64
		ok := true
		for i := range estWin {
			j := d.nearPos[i] - 1 - lag
			if j < 0 || j <= d.farN-estRing {
				ok = false
				break
			}
			fm += d.far[j%estRing]
		}
		if !ok {
			continue
		}
		fm /= estWin
		var sxy, sxx, syy float64
		for i := range estWin {
			x := d.far[(d.nearPos[i]-1-lag)%estRing] - fm
			y := d.near[i] - nm
			sxy += x * y
			sxx += x * x
			syy += y * y
		}
		if sxx == 0 || syy == 0 {
			continue
		}
		if c := sxy / math.Sqrt(sxx*syy); c > bestC {
			best, bestC = lag, c
		}
	}
	if best < 0 {
		d.cand = -1
		return
	}
	if best == d.cand && (d.lag < 0 || abs(best-d.lag) >= 2) {
		d.lag = best
	}
	d.cand = best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// shift is how many frames to hold the far end back before the
// library sees it, so that the delay left is about estResidual frames,
// the middle of what LibWebRTC follows by itself.
func (d *delayEst) shift() int {
	if d.lag < 0 {
		return 0
	}
	return max(d.lag-estResidual, 0)
}

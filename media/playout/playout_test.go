package playout

import "testing"

const (
	rate   = 48000     // what Opus decodes to
	packet = rate / 50 // 20 ms, the WebRTC norm
)

func TestBuffer(t *testing.T) {
	frame := func(v int16) []int16 {
		f := make([]int16, packet)
		for i := range f {
			f[i] = v
		}
		return f
	}
	period := make([]int16, packet/2) // a 10 ms device period
	t.Run("gathers the target before it plays, and fades in", func(t *testing.T) {
		p := New(rate)
		p.Push(frame(1000))
		if n := p.Read(period); n != 0 || period[0] != 0 {
			t.Fatalf("played %d samples of 20 ms, before the 40 ms target", n)
		}
		p.Push(frame(1000))
		if n := p.Read(period); n != len(period) {
			t.Fatalf("read %d samples with 40 ms held; want %d", n, len(period))
		}
		if period[0] >= 1000 || period[p.fade] != 1000 {
			t.Errorf("no fade in: starts %d, then %d", period[0], period[p.fade])
		}
	})
	t.Run("running dry fades out and gathers again", func(t *testing.T) {
		p := New(rate)
		p.Push(frame(1000))
		p.Push(frame(1000))
		out := make([]int16, 3*packet)
		if n := p.Read(out); n != 2*packet {
			t.Fatalf("read %d; want the %d held", n, 2*packet)
		}
		if last := out[2*packet-1]; last >= 100 {
			t.Errorf("the sound stops at %d, not faded out", last)
		}
		if out[2*packet] != 0 {
			t.Error("no silence after the end")
		}
		p.Push(frame(1000))
		if n := p.Read(period); n != 0 {
			t.Errorf("played %d samples of a 20 ms packet after running dry", n)
		}
	})
	t.Run("audio piled up beyond the maximum is cut back to the target", func(t *testing.T) {
		p := New(rate)
		for i := range 7 { // 140 ms into a 120 ms buffer
			p.Push(frame(int16(i)))
		}
		out := make([]int16, len(p.buf))
		n := p.Read(out)
		if n > len(p.buf) || n < p.target {
			t.Fatalf("held %d samples; want between %d and %d", n, p.target, len(p.buf))
		}
		if v := out[n-p.fade-1]; v != 6 { // before the fade out
			t.Errorf("the newest sample is %d; want 6, the last pushed", v)
		}
	})
	t.Run("a long packet is kept whole", func(t *testing.T) {
		p := New(rate)
		for range 3 { // 60 ms each: 180 ms into a 120 ms buffer
			p.Push(make([]int16, 3*packet))
		}
		out := make([]int16, len(p.buf))
		if n := p.Read(out); n != 3*packet {
			t.Errorf("held %d samples after the cut; want the last packet's %d", n, 3*packet)
		}
	})
}

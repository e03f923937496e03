package media

import (
	"image"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/prop"
)

func TestQuality(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		state State
		rtt   time.Duration
		loss  float64
		want  Quality
	}{
		{StateConnecting, 0, 0, QualityUnknown},
		{StateConnected, 20 * ms, 0, QualityExcellent},
		{StateConnected, 200 * ms, 0.01, QualityGood},
		{StateConnected, 50 * ms, 0.08, QualityPoor},
		{StateConnected, 600 * ms, 0, QualityBad},
		{StateConnected, 50 * ms, 0.3, QualityVeryBad},
		{StateDisconnected, 20 * ms, 0, QualityDown},
		{StateFailed, 0, 0, QualityDown},
	} {
		if got := quality(c.state, c.rtt, c.loss); got != c.want {
			t.Errorf("quality(%s, %v, %v) = %d, want %d", c.state, c.rtt, c.loss, got, c.want)
		}
	}
}

func TestPlayout(t *testing.T) {
	frame := func(v int16) []int16 {
		f := make([]int16, opusFrame)
		for i := range f {
			f[i] = v
		}
		return f
	}
	period := make([]int16, opusFrame/2) // a 10 ms device period
	t.Run("gathers the target before it plays, and fades in", func(t *testing.T) {
		p := newPlayout()
		p.push(frame(1000))
		if n := p.read(period); n != 0 || period[0] != 0 {
			t.Fatalf("played %d samples of 20 ms, before the 40 ms target", n)
		}
		p.push(frame(1000))
		if n := p.read(period); n != len(period) {
			t.Fatalf("read %d samples with 40 ms held; want %d", n, len(period))
		}
		if period[0] >= 1000 || period[playoutFade] != 1000 {
			t.Errorf("no fade in: starts %d, then %d", period[0], period[playoutFade])
		}
	})
	t.Run("running dry fades out and gathers again", func(t *testing.T) {
		p := newPlayout()
		p.push(frame(1000))
		p.push(frame(1000))
		out := make([]int16, 3*opusFrame)
		if n := p.read(out); n != 2*opusFrame {
			t.Fatalf("read %d; want the %d held", n, 2*opusFrame)
		}
		if last := out[2*opusFrame-1]; last >= 100 {
			t.Errorf("the sound stops at %d, not faded out", last)
		}
		if out[2*opusFrame] != 0 {
			t.Error("no silence after the end")
		}
		p.push(frame(1000))
		if n := p.read(period); n != 0 {
			t.Errorf("played %d samples of a 20 ms packet after running dry", n)
		}
	})
	t.Run("audio piled up beyond the maximum is cut back to the target", func(t *testing.T) {
		p := newPlayout()
		for i := range 7 { // 140 ms into a 120 ms buffer
			p.push(frame(int16(i)))
		}
		out := make([]int16, playoutMax)
		n := p.read(out)
		if n > playoutMax || n < playoutTarget {
			t.Fatalf("held %d samples; want between %d and %d", n, playoutTarget, playoutMax)
		}
		if v := out[n-playoutFade-1]; v != 6 { // before the fade out
			t.Errorf("the newest sample is %d; want 6, the last pushed", v)
		}
	})
	t.Run("a long packet is kept whole", func(t *testing.T) {
		p := newPlayout()
		for range 3 { // 60 ms each: 180 ms into a 120 ms buffer
			p.push(make([]int16, 3*opusFrame))
		}
		out := make([]int16, playoutMax)
		if n := p.read(out); n != 3*opusFrame {
			t.Errorf("held %d samples after the cut; want the last packet's %d", n, 3*opusFrame)
		}
	})
}

func TestCodecsRoundTrip(t *testing.T) {
	v := &testVideo{}
	v.Open()
	defer v.Close()
	r, _ := v.VideoRecord(videoProp(320, 240))
	enc, err := newVP8Encoder(320, 240, 30, 300_000)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	dec, err := newVP8Decoder()
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	for i := range 5 {
		img, _, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		frame, key, err := enc.Encode(asYCbCr(img))
		if err != nil || len(frame) == 0 || key != (i == 0) {
			t.Fatalf("frame %d: %d bytes, key %v, %v", i, len(frame), key, err)
		}
		out, err := dec.Decode(frame, true)
		if err != nil || out.Rect.Dx() != 320 || out.Rect.Dy() != 240 {
			t.Fatalf("decode %d: %v", i, err)
		}
	}
	oe, err := newOpusEncoder()
	if err != nil {
		t.Fatal(err)
	}
	defer oe.Close()
	od, err := newOpusDecoder()
	if err != nil {
		t.Fatal(err)
	}
	defer od.Close()
	pkt, err := oe.Encode(make([]int16, opusFrame))
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, opusFrame)
	if n, err := od.Decode(pkt, pcm, false); err != nil || n != opusFrame {
		t.Fatalf("opus decode: %d, %v", n, err)
	}
	if n, err := od.Decode(pkt, pcm, true); err != nil || n != opusFrame {
		t.Fatalf("opus FEC decode: %d, %v", n, err)
	}
}

func videoProp(w, h int) prop.Media {
	return prop.Media{Video: prop.Video{Width: w, Height: h, FrameRate: 30}}
}

func asYCbCr(img image.Image) *image.YCbCr { return img.(*image.YCbCr) }

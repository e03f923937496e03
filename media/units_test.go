package media

import (
	"image"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/prop"
	"github.com/pion/mediadevices/pkg/wave"
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

func TestMixerSumsVoicesAndClips(t *testing.T) {
	var m mixer
	out := make([]int16, 960)
	if n := m.read(out); n != 0 {
		t.Fatalf("no voices: %d real samples", n)
	}
	a, b := m.add(), m.add()
	// Both past their buffer's target delay (40 ms: 1920 samples); b has
	// sound for half of this read only.
	a.Push(constant(3*960, 1000))
	b.Push(constant(2*960+480, 2000))
	m.read(out)
	m.read(out)
	n := m.read(out)
	if n != 960 {
		t.Fatalf("real samples = %d, want 960 (the longer voice)", n)
	}
	if out[100] != 3000 || out[800] != 1000 {
		t.Errorf("mixed = %d then %d, want 3000 while both speak, then 1000", out[100], out[800])
	}
	m.remove(b)
	if len(m.buffers) != 1 {
		t.Fatalf("%d buffers after remove", len(m.buffers))
	}

	var loud mixer
	for range 2 {
		loud.add().Push(constant(2880, 20000))
	}
	loud.read(out)
	if out[900] != 32767 {
		t.Errorf("20000+20000 = %d, want clipped to 32767", out[900])
	}
}

func constant(n int, v int16) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestLevelOf(t *testing.T) {
	chunk := func(f func(i int) int16) wave.Audio {
		a := wave.NewInt16Interleaved(wave.ChunkInfo{Len: 960, Channels: 1, SamplingRate: 48000})
		for i := range 960 {
			a.Data[i] = f(i)
		}
		return a
	}
	for _, c := range []struct {
		name string
		pcm  func(i int) int16
		want uint8
	}{
		{"silence", func(int) int16 { return 0 }, silentLevel},
		{"full scale", func(i int) int16 { return int16(32767 * (1 - 2*(i%2))) }, 0},
		{"-40 dBov", func(i int) int16 { return int16(328 * (1 - 2*(i%2))) }, 40},
		{"-90 dBov, barely there", func(i int) int16 { return int16(1 - 2*(i%2)) }, 90},
	} {
		if got := levelOf(chunk(c.pcm)); got != c.want {
			t.Errorf("%s: level %d, want %d", c.name, got, c.want)
		}
	}
}

func TestCountersFromOneUser(t *testing.T) {
	c := Counters{Senders: map[string]Received{"parley": {VideoFramesDecoded: 3, AudioPacketsReceived: 5}, "x": {AudioPacketsReceived: 2}}}
	got := c.From("bob").Senders
	if len(got) != 1 || got["bob"] != (Received{VideoFramesDecoded: 3, AudioPacketsReceived: 7}) {
		t.Fatalf("%+v", got)
	}
	if got := (Counters{}).From("bob").Senders; len(got) != 0 {
		t.Fatalf("no media, yet %+v", got)
	}
}

package y4m

import (
	"bytes"
	"image"
	"strings"
	"testing"
)

// frames makes n frames whose every sample tells its frame, plane and
// place apart.
func frames(h Header, n int) []*image.YCbCr {
	var fs []*image.YCbCr
	for k := range n {
		img := h.NewImage()
		for i := range img.Y {
			img.Y[i] = byte(k*7 + i)
		}
		for i := range img.Cb {
			img.Cb[i], img.Cr[i] = byte(k*11+i*3), byte(k*13+i*5)
		}
		fs = append(fs, img)
	}
	return fs
}

func encode(t testing.TB, h Header, fs []*image.YCbCr) []byte {
	var b bytes.Buffer
	w, err := NewWriter(&b, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, h := range []Header{{64, 48, 30, 1}, {33, 17, 30000, 1001}} {
		in := frames(h, 3)
		b := encode(t, h, in)
		if !bytes.HasPrefix(b, []byte(h.String()+"\nFRAME\n")) {
			t.Fatalf("starts %q", b[:60])
		}
		v, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if v.Header() != h || v.Len() != len(in) {
			t.Fatalf("header %+v, %d frames; want %+v, %d", v.Header(), v.Len(), h, len(in))
		}
		out := h.NewImage()
		for _, n := range []int{2, 0, 1} { // any order
			if err := v.Frame(n, out); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Y, in[n].Y) || !bytes.Equal(out.Cb, in[n].Cb) || !bytes.Equal(out.Cr, in[n].Cr) {
				t.Fatalf("%v: frame %d differs", h, n)
			}
		}
		if err := v.Frame(3, out); err == nil {
			t.Fatal("frame past the end: no error")
		}
	}
}

// Frame headers may carry parameters, and stream headers other tags.
func TestReadsParameters(t *testing.T) {
	h := Header{4, 2, 25, 1}
	px := strings.Repeat("x", h.FrameSize())
	b := "YUV4MPEG2 C420mpeg2 W4 H2 F25:1 XYSCSS=420MPEG2\nFRAME Ixyz\n" + px + "FRAME\n" + px
	v, err := Open(strings.NewReader(b), int64(len(b)))
	if err != nil || v.Len() != 2 || v.Header() != h {
		t.Fatalf("%v %+v", err, v)
	}
}

func TestRejects(t *testing.T) {
	px := strings.Repeat("x", Header{4, 2, 1, 1}.FrameSize())
	for _, tc := range []struct{ name, file, want string }{
		{"empty", "", "not a YUV4MPEG2"},
		{"other", "RIFF....WAVE", "not a YUV4MPEG2"},
		{"no size", "YUV4MPEG2 F30:1\nFRAME\n", "lacks"},
		{"no rate", "YUV4MPEG2 W4 H2\nFRAME\n" + px, "lacks"},
		{"bad width", "YUV4MPEG2 W4x H2 F30:1\n", "bad W"},
		{"negative", "YUV4MPEG2 W-4 H2 F30:1\n", "size"},
		{"huge", "YUV4MPEG2 W100000 H100000 F30:1\n", "more than"},
		{"rate", "YUV4MPEG2 W4 H2 F30:0\n", "frame rate"},
		{"rate form", "YUV4MPEG2 W4 H2 F30\n", "bad F"},
		{"4:4:4", "YUV4MPEG2 W4 H2 F30:1 C444\n", "4:2:0"},
		{"interlaced", "YUV4MPEG2 W4 H2 F30:1 It\n", "progressive"},
		{"no frames", "YUV4MPEG2 W4 H2 F30:1\n", "no frames"},
		{"cut short", "YUV4MPEG2 W4 H2 F30:1\nFRAME\n" + px[1:], "cut short"},
		{"not a frame", "YUV4MPEG2 W4 H2 F30:1\nFRAMES\n" + px, "header"},
		{"endless line", "YUV4MPEG2 W4 H2 F30:1 " + strings.Repeat("X", 2*maxLine), "too long"},
	} {
		_, err := Open(strings.NewReader(tc.file), int64(len(tc.file)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestWriterChecksFrames(t *testing.T) {
	w, err := NewWriter(&bytes.Buffer{}, Header{8, 8, 30, 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(Header{8, 6, 30, 1}.NewImage()); err == nil {
		t.Fatal("a frame of another size: no error")
	}
	if _, err := NewWriter(&bytes.Buffer{}, Header{8, 8, 0, 1}); err == nil {
		t.Fatal("no frame rate: no error")
	}
}

func FuzzOpen(f *testing.F) {
	h := Header{6, 4, 30, 1}
	f.Add(encode(f, h, frames(h, 2)))
	f.Add([]byte("YUV4MPEG2 W2 H2 F1:1\nFRAME\n\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("YUV4MPEG2 W4096 H4096 F1:1\nFRAME\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		h := v.Header()
		if v.Len() == 0 || v.Len()*h.FrameSize() > len(b) {
			t.Fatalf("%d frames of %d bytes from %d bytes", v.Len(), h.FrameSize(), len(b))
		}
		img := h.NewImage()
		for n := range v.Len() {
			if err := v.Frame(n, img); err != nil {
				t.Fatal(err)
			}
		}
	})
}

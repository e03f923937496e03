// Package y4m reads and writes YUV4MPEG2 (.y4m) video of 4:2:0 frames,
// the format of Chromium's --use-file-for-fake-video-capture and of the
// test clips that stand in for a camera.
package y4m

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strconv"
	"strings"
)

// MaxSide bounds the width and the height a file may declare, so that a
// bad header cannot make a reader allocate gigabytes for one frame.
const MaxSide = 4096

// maxLine bounds the stream header and each frame header.
const maxLine = 1024

var errNotY4M = errors.New("y4m: not a YUV4MPEG2 file")

const (
	magic      = "YUV4MPEG2"
	frameMagic = "FRAME"
)

// Header is what a stream header says.
type Header struct {
	Width, Height int
	// RateNum/RateDen frames a second.
	RateNum, RateDen int
}

// FrameRate is frames a second.
func (h Header) FrameRate() float64 { return float64(h.RateNum) / float64(h.RateDen) }

// FrameSize is the bytes of one frame: the luma plane, then Cb and Cr at
// half the size each way (rounded up).
func (h Header) FrameSize() int {
	cw, ch := (h.Width+1)/2, (h.Height+1)/2
	return h.Width*h.Height + 2*cw*ch
}

// NewImage is a frame of this stream's size.
func (h Header) NewImage() *image.YCbCr {
	return image.NewYCbCr(image.Rect(0, 0, h.Width, h.Height), image.YCbCrSubsampleRatio420)
}

func (h Header) check() error {
	switch {
	case h.Width <= 0 || h.Height <= 0:
		return fmt.Errorf("y4m: size %dx%d", h.Width, h.Height)
	case h.Width > MaxSide || h.Height > MaxSide:
		return fmt.Errorf("y4m: size %dx%d is more than %dx%d", h.Width, h.Height, MaxSide, MaxSide)
	case h.RateNum <= 0 || h.RateDen <= 0:
		return fmt.Errorf("y4m: frame rate %d:%d", h.RateNum, h.RateDen)
	}
	return nil
}

// String is the stream header line, without its newline.
func (h Header) String() string {
	return fmt.Sprintf("%s W%d H%d F%d:%d Ip A1:1 C420jpeg", magic, h.Width, h.Height, h.RateNum, h.RateDen)
}

// parseHeader parses a stream header line, without its newline.
func parseHeader(line string) (Header, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != magic {
		return Header{}, errNotY4M
	}
	var h Header
	for _, f := range fields[1:] {
		v := f[1:]
		var err error
		switch f[0] {
		case 'W':
			h.Width, err = strconv.Atoi(v)
		case 'H':
			h.Height, err = strconv.Atoi(v)
		case 'F':
			h.RateNum, h.RateDen, err = ratio(v)
		case 'I':
			if v != "p" && v != "?" {
				return h, fmt.Errorf("y4m: interlacing %q: want progressive frames", v)
			}
		case 'C':
			// 4:2:0 with any chroma siting; the others are not read.
			if !strings.HasPrefix(v, "420") {
				return h, fmt.Errorf("y4m: colour space %q: want 4:2:0", v)
			}
		}
		if err != nil {
			return h, fmt.Errorf("y4m: bad %c in header: %q", f[0], f)
		}
	}
	if h.Width == 0 || h.Height == 0 || h.RateNum == 0 {
		return h, errors.New("y4m: header lacks W, H or F")
	}
	return h, h.check()
}

func ratio(s string) (num, den int, err error) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, errors.New("no colon")
	}
	if num, err = strconv.Atoi(a); err != nil {
		return 0, 0, err
	}
	den, err = strconv.Atoi(b)
	return num, den, err
}

// Writer writes a stream of frames.
type Writer struct {
	w   io.Writer
	h   Header
	buf []byte
}

// NewWriter writes the stream header to w.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, h.String()+"\n"); err != nil {
		return nil, err
	}
	return &Writer{w: w, h: h, buf: make([]byte, 0, len(frameMagic)+1+h.FrameSize())}, nil
}

// Write writes one frame, which must be 4:2:0 of the header's size.
func (w *Writer) Write(img *image.YCbCr) error {
	r := img.Rect
	if r.Dx() != w.h.Width || r.Dy() != w.h.Height || img.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		return fmt.Errorf("y4m: frame %v %v, want 4:2:0 %dx%d", r.Size(), img.SubsampleRatio, w.h.Width, w.h.Height)
	}
	b := append(w.buf[:0], frameMagic+"\n"...)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		i := img.YOffset(r.Min.X, y)
		b = append(b, img.Y[i:i+r.Dx()]...)
	}
	cw, ch := (w.h.Width+1)/2, (w.h.Height+1)/2
	for _, p := range [][]byte{img.Cb, img.Cr} {
		for y := range ch {
			i := img.COffset(r.Min.X, r.Min.Y+2*y)
			b = append(b, p[i:i+cw]...)
		}
	}
	w.buf = b
	_, err := w.w.Write(b)
	return err
}

// Video is a stream read for random access: where each frame is, found
// once when it opens. It is for one goroutine at a time.
type Video struct {
	r      io.ReaderAt
	h      Header
	frames []int64 // the offset of each frame's pixels
	buf    []byte
}

// Open reads the headers of the size bytes of r. Every frame must be
// whole, and there must be one at least.
func Open(r io.ReaderAt, size int64) (*Video, error) {
	start := make([]byte, len(magic)+1)
	if n, _ := r.ReadAt(start, 0); n < len(start) || string(start[:len(magic)]) != magic {
		return nil, errNotY4M
	}
	line, err := readLine(r, 0, size)
	if err != nil {
		return nil, err
	}
	h, err := parseHeader(line)
	if err != nil {
		return nil, err
	}
	v := &Video{r: r, h: h}
	fs := int64(h.FrameSize())
	for off := int64(len(line) + 1); off < size; {
		line, err := readLine(r, off, size)
		if err != nil {
			return nil, fmt.Errorf("frame %d: %w", len(v.frames), err)
		}
		if line != frameMagic && !strings.HasPrefix(line, frameMagic+" ") {
			return nil, fmt.Errorf("y4m: frame %d: header %.20q", len(v.frames), line)
		}
		off += int64(len(line) + 1)
		if size-off < fs {
			return nil, fmt.Errorf("y4m: frame %d is cut short", len(v.frames))
		}
		v.frames = append(v.frames, off)
		off += fs
	}
	if len(v.frames) == 0 {
		return nil, errors.New("y4m: no frames")
	}
	return v, nil
}

// File is a Video read from a file that it keeps open until Close.
type File struct {
	*Video
	f *os.File
}

// OpenFile opens the Y4M file at path; its errors name the path.
func OpenFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	var v *Video
	if err == nil {
		v, err = Open(f, fi.Size())
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{Video: v, f: f}, nil
}

func (f *File) Close() error { return f.f.Close() }

// readLine reads the line at off, without its newline.
func readLine(r io.ReaderAt, off, size int64) (string, error) {
	if off >= size {
		return "", io.ErrUnexpectedEOF
	}
	b := make([]byte, min(maxLine, size-off))
	n, err := r.ReadAt(b, off)
	if n < len(b) {
		return "", err
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return "", errors.New("y4m: header line too long or unterminated")
	}
	return string(b[:i]), nil
}

// Header is the stream header.
func (v *Video) Header() Header { return v.h }

// Len is the number of frames.
func (v *Video) Len() int { return len(v.frames) }

// Frame reads frame n (0 ≤ n < Len) into img, which must be of the
// stream's size and 4:2:0, as Header().NewImage() makes.
func (v *Video) Frame(n int, img *image.YCbCr) error {
	r := img.Rect
	if r.Dx() != v.h.Width || r.Dy() != v.h.Height || img.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		return fmt.Errorf("y4m: image %v %v, want 4:2:0 %dx%d", r.Size(), img.SubsampleRatio, v.h.Width, v.h.Height)
	}
	if n < 0 || n >= len(v.frames) {
		return fmt.Errorf("y4m: no frame %d of %d", n, len(v.frames))
	}
	if v.buf == nil {
		v.buf = make([]byte, v.h.FrameSize())
	}
	if _, err := v.r.ReadAt(v.buf, v.frames[n]); err != nil {
		return fmt.Errorf("y4m: frame %d: %w", n, err)
	}
	b := v.buf
	w := v.h.Width
	for y := range v.h.Height {
		copy(img.Y[img.YOffset(r.Min.X, r.Min.Y+y):], b[:w])
		b = b[w:]
	}
	cw, ch := (v.h.Width+1)/2, (v.h.Height+1)/2
	for _, p := range [][]byte{img.Cb, img.Cr} {
		for y := range ch {
			copy(p[img.COffset(r.Min.X, r.Min.Y+2*y):], b[:cw])
			b = b[cw:]
		}
	}
	return nil
}

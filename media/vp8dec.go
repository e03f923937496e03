package media

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8dx.h>

static int parley_vp8_dec_init(vpx_codec_ctx_t *ctx) {
	vpx_codec_dec_cfg_t cfg = {0};
	cfg.threads = 1;
	return vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), &cfg, 0);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// vp8Decoder decodes VP8 frames with libvpx. It is used by one goroutine,
// the receiver of the video track.
type vp8Decoder struct {
	ctx *C.vpx_codec_ctx_t
}

func newVP8Decoder() (*vp8Decoder, error) {
	ctx := (*C.vpx_codec_ctx_t)(C.calloc(1, C.size_t(unsafe.Sizeof(C.vpx_codec_ctx_t{}))))
	if C.parley_vp8_dec_init(ctx) != C.VPX_CODEC_OK {
		C.free(unsafe.Pointer(ctx))
		return nil, errors.New("vp8: decoder init failed")
	}
	return &vp8Decoder{ctx: ctx}, nil
}

// Decode decodes one frame. Without wantImage the picture stays inside
// libvpx, which is all a headless client that only counts frames needs;
// with it the picture is copied into a new image.YCbCr.
func (d *vp8Decoder) Decode(frame []byte, wantImage bool) (*image.YCbCr, error) {
	if len(frame) == 0 {
		return nil, errors.New("vp8: empty frame")
	}
	if rc := C.vpx_codec_decode(d.ctx, (*C.uint8_t)(unsafe.Pointer(&frame[0])), C.uint(len(frame)), nil, 0); rc != C.VPX_CODEC_OK {
		return nil, fmt.Errorf("vp8: decode failed (%d)", int(rc))
	}
	var iter C.vpx_codec_iter_t
	img := C.vpx_codec_get_frame(d.ctx, &iter)
	if img == nil {
		return nil, errors.New("vp8: no picture in frame")
	}
	if !wantImage {
		return nil, nil
	}
	w, h := int(img.d_w), int(img.d_h)
	out := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	copyPlane(out.Y, out.YStride, img.planes[0], int(img.stride[0]), w, h)
	cw, ch := (w+1)/2, (h+1)/2
	copyPlane(out.Cb, out.CStride, img.planes[1], int(img.stride[1]), cw, ch)
	copyPlane(out.Cr, out.CStride, img.planes[2], int(img.stride[2]), cw, ch)
	return out, nil
}

func copyPlane(dst []byte, dstStride int, src *C.uchar, srcStride, w, h int) {
	s := unsafe.Slice((*byte)(unsafe.Pointer(src)), srcStride*(h-1)+w)
	for y := range h {
		copy(dst[y*dstStride:y*dstStride+w], s[y*srcStride:y*srcStride+w])
	}
}

// Close frees the decoder.
func (d *vp8Decoder) Close() {
	C.vpx_codec_destroy(d.ctx)
	C.free(unsafe.Pointer(d.ctx))
}

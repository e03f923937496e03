package media

/*
#cgo pkg-config: vpx
#include <stdlib.h>
#include <string.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vp8cx.h>

// The libvpx control calls are variadic macros, which cgo cannot call.
static int parley_vp8_init(vpx_codec_ctx_t *ctx, vpx_codec_enc_cfg_t *cfg, int cpu_used) {
	if (vpx_codec_enc_init(ctx, vpx_codec_vp8_cx(), cfg, 0) != VPX_CODEC_OK) return -1;
	if (vpx_codec_control(ctx, VP8E_SET_CPUUSED, cpu_used) != VPX_CODEC_OK) return -2;
	// Skip the encoding of blocks that did not change: talking heads and
	// test patterns both have many.
	vpx_codec_control(ctx, VP8E_SET_STATIC_THRESHOLD, 1);
	vpx_codec_control(ctx, VP8E_SET_NOISE_SENSITIVITY, 0);
	// Cap key frames at ~3 average frames so that a PLI does not burst.
	vpx_codec_control(ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, 300);
	return 0;
}

static int parley_vp8_default_cfg(vpx_codec_enc_cfg_t *cfg) {
	return vpx_codec_enc_config_default(vpx_codec_vp8_cx(), cfg, 0);
}

// parley_vp8_encode wraps the caller's I420 planes without copying them.
static vpx_codec_err_t parley_vp8_encode(vpx_codec_ctx_t *ctx, int w, int h,
		unsigned char *y, unsigned char *u, unsigned char *v, int ystride, int cstride,
		vpx_codec_pts_t pts, unsigned long dur, vpx_enc_frame_flags_t flags) {
	vpx_image_t img;
	memset(&img, 0, sizeof img);
	if (!vpx_img_wrap(&img, VPX_IMG_FMT_I420, w, h, 1, y)) return VPX_CODEC_ERROR;
	img.planes[VPX_PLANE_Y] = y;
	img.planes[VPX_PLANE_U] = u;
	img.planes[VPX_PLANE_V] = v;
	img.stride[VPX_PLANE_Y] = ystride;
	img.stride[VPX_PLANE_U] = cstride;
	img.stride[VPX_PLANE_V] = cstride;
	return vpx_codec_encode(ctx, &img, pts, dur, flags, VPX_DL_REALTIME);
}

// parley_vp8_frame returns the next compressed frame, or NULL.
static const vpx_codec_cx_pkt_t *parley_vp8_next(vpx_codec_ctx_t *ctx, vpx_codec_iter_t *iter) {
	const vpx_codec_cx_pkt_t *p;
	while ((p = vpx_codec_get_cx_data(ctx, iter)) != NULL) {
		if (p->kind == VPX_CODEC_CX_FRAME_PKT) return p;
	}
	return NULL;
}
static void *parley_pkt_buf(const vpx_codec_cx_pkt_t *p) { return p->data.frame.buf; }
static size_t parley_pkt_size(const vpx_codec_cx_pkt_t *p) { return p->data.frame.sz; }
static int parley_pkt_key(const vpx_codec_cx_pkt_t *p) { return (p->data.frame.flags & VPX_FRAME_IS_KEY) != 0; }
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// vp8CPUUsed is libvpx's speed knob. In real-time mode a negative value
// is a fixed speed (-16 fastest); a positive one is a share of the frame
// interval that libvpx may spend, and it slows down to the slowest real-
// time speed until it does: 8 took up to half of every 33 ms on any
// machine fast enough. Speed 12 costs about a third less work per frame
// than the speed 6 of WebRTC's desktop encoder, for 0.25 dB of PSNR
// (media/clip at 1.5 Mb/s, counted with callgrind).
const vp8CPUUsed = -12

// vp8Threads is how many threads encode a w x h stream: more only on
// machines with a core to spare for them, and only for pictures large
// enough to split (libvpx splits by rows of macroblocks). Threads lower
// the time a frame takes, not the work.
func vp8Threads(w, h, cores int) int {
	return max(1, min(cores-1, w*h/(640*480)+1, 4))
}

// vp8Encoder is a real-time VP8 encoder on libvpx. Its methods are safe for
// concurrent use: key frame and bitrate requests come from RTCP and the
// bandwidth estimator while the send loop encodes.
type vp8Encoder struct {
	mu       sync.Mutex
	ctx      *C.vpx_codec_ctx_t // C memory: libvpx keeps pointers into it
	cfg      C.vpx_codec_enc_cfg_t
	w, h     int
	keyFrame bool
	bitrate  int // bits per second wanted; applied before the next frame
	applied  int
	start    time.Time
	last     time.Duration
}

func newVP8Encoder(w, h, fps, bitrate int) (*vp8Encoder, error) {
	e := &vp8Encoder{w: w, h: h, bitrate: bitrate, applied: bitrate, keyFrame: true}
	if C.parley_vp8_default_cfg(&e.cfg) != 0 {
		return nil, errors.New("vp8: no default configuration")
	}
	e.cfg.g_w = C.uint(w)
	e.cfg.g_h = C.uint(h)
	e.cfg.g_timebase.num = 1
	e.cfg.g_timebase.den = 1000 // milliseconds
	e.cfg.g_threads = C.uint(vp8Threads(w, h, runtime.NumCPU()))
	e.cfg.g_lag_in_frames = 0 // real time: no look-ahead
	e.cfg.g_error_resilient = C.VPX_ERROR_RESILIENT_DEFAULT
	e.cfg.g_pass = C.VPX_RC_ONE_PASS
	e.cfg.rc_end_usage = C.VPX_CBR
	e.cfg.rc_target_bitrate = C.uint(bitrate / 1000)
	e.cfg.rc_min_quantizer = 2
	e.cfg.rc_max_quantizer = 56
	e.cfg.rc_undershoot_pct = 100
	e.cfg.rc_overshoot_pct = 15
	e.cfg.rc_buf_initial_sz = 500
	e.cfg.rc_buf_optimal_sz = 600
	e.cfg.rc_buf_sz = 1000
	e.cfg.rc_dropframe_thresh = 0
	e.cfg.rc_resize_allowed = 0
	// Key frames come on demand (start, resume, PLI); a slow periodic one
	// bounds how long a receiver that missed a PLI can stay broken.
	e.cfg.kf_mode = C.VPX_KF_AUTO
	e.cfg.kf_max_dist = C.uint(10 * fps)
	e.ctx = (*C.vpx_codec_ctx_t)(C.calloc(1, C.size_t(unsafe.Sizeof(C.vpx_codec_ctx_t{}))))
	if rc := C.parley_vp8_init(e.ctx, &e.cfg, vp8CPUUsed); rc != 0 {
		C.free(unsafe.Pointer(e.ctx))
		return nil, fmt.Errorf("vp8: encoder init failed (%d)", rc)
	}
	return e, nil
}

// ForceKeyFrame makes the next frame a key frame.
func (e *vp8Encoder) ForceKeyFrame() error {
	e.mu.Lock()
	e.keyFrame = true
	e.mu.Unlock()
	return nil
}

// SetBitRate sets the target in bits per second.
func (e *vp8Encoder) SetBitRate(bps int) error {
	e.mu.Lock()
	e.bitrate = bps
	e.mu.Unlock()
	return nil
}

// BitRate is the target in bits per second.
func (e *vp8Encoder) BitRate() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.bitrate
}

// Encode compresses one frame. A frame of another size than the encoder's
// is an error: capture sizes are fixed when a source opens.
func (e *vp8Encoder) Encode(img *image.YCbCr) (frame []byte, key bool, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx == nil {
		return nil, false, errors.New("vp8: encoder closed")
	}
	b := img.Bounds()
	if b.Dx() != e.w || b.Dy() != e.h || img.SubsampleRatio != image.YCbCrSubsampleRatio420 {
		return nil, false, fmt.Errorf("vp8: got a %dx%d %v frame, want %dx%d 4:2:0", b.Dx(), b.Dy(), img.SubsampleRatio, e.w, e.h)
	}
	if e.bitrate != e.applied && e.bitrate >= 1000 {
		e.cfg.rc_target_bitrate = C.uint(e.bitrate / 1000)
		if C.vpx_codec_enc_config_set(e.ctx, &e.cfg) == C.VPX_CODEC_OK {
			e.applied = e.bitrate
		}
	}
	if e.start.IsZero() {
		e.start = time.Now()
	}
	pts := time.Since(e.start)
	dur := max(pts-e.last, time.Millisecond)
	e.last = pts
	var flags C.vpx_enc_frame_flags_t
	if e.keyFrame {
		flags |= C.VPX_EFLAG_FORCE_KF
	}
	yo, co := img.YOffset(b.Min.X, b.Min.Y), img.COffset(b.Min.X, b.Min.Y)
	if rc := C.parley_vp8_encode(e.ctx, C.int(e.w), C.int(e.h),
		(*C.uchar)(&img.Y[yo]), (*C.uchar)(&img.Cb[co]), (*C.uchar)(&img.Cr[co]),
		C.int(img.YStride), C.int(img.CStride),
		C.vpx_codec_pts_t(pts.Milliseconds()), C.ulong(dur.Milliseconds()), flags); rc != C.VPX_CODEC_OK {
		return nil, false, fmt.Errorf("vp8: encode failed (%d)", int(rc))
	}
	var iter C.vpx_codec_iter_t
	for p := C.parley_vp8_next(e.ctx, &iter); p != nil; p = C.parley_vp8_next(e.ctx, &iter) {
		frame = append(frame, unsafe.Slice((*byte)(C.parley_pkt_buf(p)), int(C.parley_pkt_size(p)))...)
		key = key || C.parley_pkt_key(p) != 0
	}
	if key {
		e.keyFrame = false
	}
	return frame, key, nil
}

// Close frees the encoder; it is idempotent.
func (e *vp8Encoder) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ctx != nil {
		C.vpx_codec_destroy(e.ctx)
		C.free(unsafe.Pointer(e.ctx))
		e.ctx = nil
	}
	return nil
}

package main

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// printer writes JSON lines to standard output, one writer at a time.
type printer struct {
	mu  sync.Mutex
	w   io.Writer
	enc *json.Encoder
}

func newPrinter(w io.Writer) *printer {
	return &printer{w: w, enc: json.NewEncoder(w)}
}

// json writes v as one line. Output errors are ignored: a command that
// lost its standard output has nobody left to tell.
func (p *printer) json(v any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.enc.Encode(v)
}

// text writes s as one line.
func (p *printer) text(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = io.WriteString(p.w, s+"\n")
}

// line is one event line of call and answer. The fields after call_id are
// there when they apply.
type line struct {
	Event        string   `json:"event"`
	TimeMS       int64    `json:"time_ms"`
	CallID       string   `json:"call_id"`
	User         string   `json:"user,omitempty"` // who caused it; for incoming, the caller
	Conversation string   `json:"conversation,omitempty"`
	Media        string   `json:"media,omitempty"`
	Invitees     []string `json:"invitees,omitempty"`
	TimeLeftMS   int64    `json:"time_left_ms,omitempty"`
	Reason       string   `json:"reason,omitempty"`
	Outcome      string   `json:"outcome,omitempty"`
	Error        string   `json:"error,omitempty"`
	SecondsLeft  *int     `json:"seconds_left,omitempty"` // countdown
	Stats        *stats   `json:"stats,omitempty"`
	Title        string   `json:"title,omitempty"` // notify
	Body         string   `json:"body,omitempty"`
	On           *bool    `json:"on,omitempty"` // ringtone
}

// stats is the media quality of a call, every 2 s.
type stats struct {
	RTTMS      int64   `json:"rtt_ms"`
	LossIn     float64 `json:"loss_in"`
	LossOut    float64 `json:"loss_out"`
	BitrateIn  int     `json:"bitrate_in"`
	BitrateOut int     `json:"bitrate_out"`
	FrameRate  float64 `json:"frame_rate"`
	Quality    int     `json:"quality"` // 0 unknown, 1 excellent … 6 down
}

func (p *printer) event(l line) {
	l.TimeMS = time.Now().UnixMilli()
	p.json(l)
}

// mediaStats counts what a call received.
type mediaStats struct {
	VideoFramesDecoded   int64 `json:"video_frames_decoded"`
	AudioPacketsReceived int64 `json:"audio_packets_received"`
}

// summary is the last line of call and answer.
type summary struct {
	Summary    bool   `json:"summary"`
	CallID     string `json:"call_id"`
	Outcome    string `json:"outcome"`
	SetupMS    int64  `json:"setup_ms"`
	DurationMS int64  `json:"duration_ms"`
	mediaStats
	// Peers counts what came from each other participant whose media
	// arrived (in a direct call, the one other user).
	Peers map[string]mediaStats `json:"peers,omitempty"`
	// With --compare: the mean PSNR of the luma of the video frames
	// compared with the source's, and how many were.
	PSNR           *float64 `json:"psnr_db,omitempty"`
	FramesCompared *int64   `json:"frames_compared,omitempty"`
}

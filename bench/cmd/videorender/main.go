// Command videorender shows a synthetic 640x480 remote video at 30 frames a
// second in a Fyne window, for the rendering benchmark of the desktop app
// (bench/desktop_bench_test.go), which measures its CPU from /proc.
//
//	videorender -mode bare|screen [-controls] [-preview] [-reuse] [-duration 15s]
//
// Both modes start from the same 4:2:0 YCbCr frames (what the VP8 decoder
// hands over), made in advance so that making them costs nothing, and
// convert each to RGBA off the UI goroutine:
//
//   - bare is the bare recipe: a window holding one canvas.Image
//     (ImageScaleFastest), two *image.RGBA buffers that take turns, the
//     frame converted into the free one, swapped in and refreshed in
//     fyne.Do; a frame that finds the last swap still pending is dropped.
//   - screen is the app's video call screen: views.CallScreens driven to
//     an active video call (timer running, network quality shown), each
//     frame converted into a new *image.RGBA as media's receiver does and
//     handed to CallScreens.RemoteFrame. Nobody moves the pointer, so the
//     call's controls hide after their idle time; -controls keeps them
//     shown, as a pointer moving over the call does. -preview adds the
//     local preview at 15 frames a second, converted as media's preview
//     does. -reuse
//     converts into four buffers in turn instead of a new one per frame,
//     to tell what the allocation costs (a diagnosis: the surface keeps
//     the frame it was given, so the app cannot do this as it stands).
//
// Both windows are 520x600, the size of the app's call window. When the
// duration is over it prints one line, "frames shown N of M", and quits.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"

	"parley/callcore"
	"parley/media"
	"parley/protocol"
	"parley/views"
)

const (
	width, height = 640, 480
	fps           = 30
)

func main() {
	mode := flag.String("mode", "bare", "bare (the bare Fyne recipe) or screen (the app's video call screen)")
	controls := flag.Bool("controls", false, "screen: keep the call's controls shown, as a moving pointer does")
	preview := flag.Bool("preview", false, "screen: also show the local preview at 15 frames a second")
	reuse := flag.Bool("reuse", false, "screen: convert into four buffers in turn, not a new one per frame")
	duration := flag.Duration("duration", 15*time.Second, "how long to show the video")
	flag.Parse()

	frames := makeFrames(fps)
	a := fyneapp.NewWithID("org.parley.bench.videorender")
	var shown func() int
	var push func(i int)
	switch *mode {
	case "bare":
		shown, push = bare(a, frames)
	case "screen":
		shown, push = screen(a, frames, *controls, *preview, *reuse)
	default:
		fmt.Fprintf(os.Stderr, "videorender: unknown mode %q\n", *mode)
		os.Exit(2)
	}

	go func() {
		t := time.NewTicker(time.Second / fps)
		defer t.Stop()
		end := time.After(*duration)
		ticks := 0
		for {
			select {
			case <-t.C:
				push(ticks)
				ticks++
			case <-end:
				fyne.DoAndWait(func() {
					fmt.Printf("frames shown %d of %d\n", shown(), ticks)
					a.Quit()
				})
				return
			}
		}
	}()
	a.Run()
}

// makeFrames draws n frames of scrolling colour bars with a moving white
// square, as 4:2:0 YCbCr.
func makeFrames(n int) []*image.YCbCr {
	bars := [...][3]byte{{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34}, {107, 202, 222}, {82, 90, 240}, {41, 240, 110}}
	out := make([]*image.YCbCr, n)
	for i := range out {
		img := image.NewYCbCr(image.Rect(0, 0, width, height), image.YCbCrSubsampleRatio420)
		shift := i * width / n
		for y := range height {
			for x := range width {
				img.Y[y*img.YStride+x] = bars[((x+shift)%width)*len(bars)/width][0]
			}
		}
		for y := range height / 2 {
			for x := range width / 2 {
				c := bars[((2*x+shift)%width)*len(bars)/width]
				img.Cb[y*img.CStride+x], img.Cr[y*img.CStride+x] = c[1], c[2]
			}
		}
		sx, sy := 40+i*(width-200)/n, 120
		for y := sy; y < sy+120; y++ {
			for x := sx; x < sx+120; x++ {
				img.Y[y*img.YStride+x] = 255
			}
		}
		out[i] = img
	}
	return out
}

// bare is the bare recipe.
func bare(a fyne.App, frames []*image.YCbCr) (shown func() int, push func(int)) {
	w := a.NewWindow("videorender bare")
	img := canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, width, height)))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleFastest
	w.SetContent(img)
	w.Resize(fyne.NewSize(520, 600))
	w.SetMaster()
	w.Show()

	var (
		mu      sync.Mutex
		bufs    = [2]*image.RGBA{image.NewRGBA(image.Rect(0, 0, width, height)), image.NewRGBA(image.Rect(0, 0, width, height))}
		front   = -1 // the buffer on the canvas
		pending bool
		count   int
	)
	push = func(i int) {
		mu.Lock()
		if pending {
			mu.Unlock()
			return // the UI has not taken the last one: drop this frame
		}
		pending = true
		back := (front + 1) % 2
		mu.Unlock()
		src := frames[i%len(frames)]
		draw.Draw(bufs[back], bufs[back].Rect, src, src.Rect.Min, draw.Src)
		fyne.Do(func() {
			img.Image = bufs[back]
			img.Refresh()
			mu.Lock()
			front, pending = back, false
			count++
			mu.Unlock()
		})
	}
	shown = func() int {
		mu.Lock()
		defer mu.Unlock()
		return count
	}
	return shown, push
}

// control answers the call screen's buttons; nobody presses them here.
type control struct{}

func (control) Accept(bool) error              { return nil }
func (control) Decline() error                 { return nil }
func (control) Hangup() error                  { return nil }
func (control) SetMuted(bool) error            { return nil }
func (control) SetCameraOff(bool) error        { return nil }
func (control) SwitchToAudio() error           { return nil }
func (control) AddToCall(users []string) error { return nil }
func (control) State() (callcore.State, protocol.Call) {
	return callcore.Idle, protocol.Call{}
}

// screen is the app's video call screen, fed as the app feeds it.
func screen(a fyne.App, frames []*image.YCbCr, controls, preview, reuse bool) (shown func() int, push func(int)) {
	// A master window behind the call window, as the main window is.
	main := a.NewWindow("videorender main")
	main.SetContent(canvas.NewRectangle(color.Gray{Y: 0xee}))
	main.Resize(fyne.NewSize(200, 100))
	main.SetMaster()
	main.Show()

	s := views.NewCallScreens(a, "bob", control{})
	call := protocol.Call{ID: "bench", Conversation: protocol.DirectConversation("alice", "bob"),
		Media: protocol.MediaVideo, Caller: "alice", State: protocol.CallActive,
		Participants: []protocol.Participant{{User: "alice", State: protocol.StateJoined}, {User: "bob", State: protocol.StateJoined}}}
	s.HandleEvent(callcore.Event{Type: callcore.EventState, State: callcore.Active, Call: call})
	s.HandleEvent(callcore.Event{Type: callcore.EventStats, Call: call, Stats: media.Stats{Quality: media.QualityGood}})

	var ring [4]*image.RGBA
	for i := range ring {
		ring[i] = image.NewRGBA(image.Rect(0, 0, width, height))
	}
	push = func(i int) {
		src := frames[i%len(frames)]
		// As media's receiver: a new RGBA per decoded frame.
		rgba := ring[i%len(ring)]
		if !reuse {
			rgba = image.NewRGBA(src.Rect)
		}
		draw.Draw(rgba, rgba.Rect, src, src.Rect.Min, draw.Src)
		s.RemoteFrame(rgba)
		if controls && i%fps == 0 {
			// What the pointer moving over the call does, once a second.
			fyne.Do(func() { s.Current().(*views.VideoScreen).ShowControls() })
		}
		if preview && i%2 == 0 {
			// As media's preview: at most 15 a second, a copy each.
			local := frames[(i+len(frames)/2)%len(frames)]
			p := image.NewRGBA(local.Rect)
			draw.Draw(p, p.Rect, local, local.Rect.Min, draw.Src)
			s.LocalFrame(p)
		}
	}
	return s.Remote.Frames, push
}

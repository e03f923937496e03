package audioproc

// frameQueue holds far frames, oldest first, at most maxQueued of them: a
// full queue drops its oldest, which re-aligns after a stall. Frames are
// copied in and their buffers recycled, so a steady stream makes no
// garbage. Its owner guards it.
type frameQueue struct {
	frames [][]int16
	spare  [][]int16
}

// push queues a copy of frame.
func (q *frameQueue) push(frame []int16) {
	var f []int16
	if n := len(q.spare); n > 0 {
		f, q.spare = q.spare[n-1], q.spare[:n-1]
	} else {
		f = make([]int16, FrameSize)
	}
	copy(f, frame)
	if len(q.frames) == maxQueued {
		q.spare = append(q.spare, q.frames[0])
		q.frames = append(q.frames[:0], q.frames[1:]...)
	}
	q.frames = append(q.frames, f)
}

// pop takes the oldest frame; its buffer goes back with recycle.
func (q *frameQueue) pop() ([]int16, bool) {
	if len(q.frames) == 0 {
		return nil, false
	}
	f := q.frames[0]
	q.frames = append(q.frames[:0], q.frames[1:]...)
	return f, true
}

// takeAll appends every queued frame to dst and empties the queue; their
// buffers go back with recycle.
func (q *frameQueue) takeAll(dst [][]int16) [][]int16 {
	dst = append(dst, q.frames...)
	q.frames = q.frames[:0]
	return dst
}

func (q *frameQueue) recycle(frames ...[]int16) { q.spare = append(q.spare, frames...) }

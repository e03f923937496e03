package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

// icon draws the app icon, 512 px square: a white speech bubble holding a
// telephone handset, on a blue rounded square. Each pixel is the mean of
// 4x4 samples of the shapes, for smooth edges.
func icon() ([]byte, error) {
	const size, ss = 512, 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	top, bottom := [3]float64{0x3a, 0x9b, 0xf5}, [3]float64{0x1e, 0x5f, 0xd8}
	for y := range size {
		for x := range size {
			var r, g, b, a float64
			for sy := range ss {
				for sx := range ss {
					px, py := (float64(x)+(float64(sx)+0.5)/ss)/size, (float64(y)+(float64(sy)+0.5)/ss)/size
					if !roundedSquare(px, py) {
						continue
					}
					c := lerp(top, bottom, py)
					if bubble(px, py) {
						c = [3]float64{255, 255, 255}
						if handset(px, py) {
							c = lerp(top, bottom, py)
						}
					}
					r, g, b, a = r+c[0], g+c[1], b+c[2], a+1
				}
			}
			if a > 0 {
				img.SetNRGBA(x, y, color.NRGBA{uint8(r / a), uint8(g / a), uint8(b / a), uint8(255 * a / ss / ss)})
			}
		}
	}
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

func lerp(a, b [3]float64, t float64) [3]float64 {
	return [3]float64{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t, a[2] + (b[2]-a[2])*t}
}

// The shapes, in a unit square with y pointing down.

func roundedSquare(x, y float64) bool {
	const m, r = 0.04, 0.2 // margin and corner radius
	dx := math.Max(math.Max(m+r-x, x-(1-m-r)), 0)
	dy := math.Max(math.Max(m+r-y, y-(1-m-r)), 0)
	return x >= m && x <= 1-m && y >= m && y <= 1-m && dx*dx+dy*dy <= r*r
}

// bubble is an ellipse with a tail at its lower left.
func bubble(x, y float64) bool {
	ex, ey := (x-0.5)/0.34, (y-0.47)/0.29
	if ex*ex+ey*ey <= 1 {
		return true
	}
	// The tail: a triangle from under the ellipse down to the left.
	return inTriangle(x, y, 0.27, 0.62, 0.42, 0.72, 0.2, 0.84)
}

func inTriangle(x, y, ax, ay, bx, by, cx, cy float64) bool {
	s := func(px, py, qx, qy, rx, ry float64) float64 { return (px-rx)*(qy-ry) - (qx-rx)*(py-ry) }
	d1, d2, d3 := s(x, y, ax, ay, bx, by), s(x, y, bx, by, cx, cy), s(x, y, cx, cy, ax, ay)
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}

// handset is a thick arc with a round cup at each end, tilted as phone
// icons are.
func handset(x, y float64) bool {
	const cx, cy, radius, half = 0.6, 0.42, 0.17, 0.045
	const from, to = 0.55 * math.Pi, 1.2 * math.Pi // angles of the arc, y down
	dx, dy := x-cx, y-cy
	d := math.Hypot(dx, dy)
	a := math.Atan2(dy, dx)
	if a < 0 {
		a += 2 * math.Pi
	}
	if d >= radius-half && d <= radius+half && a >= from && a <= to {
		return true
	}
	for _, end := range []float64{from, to} {
		ex, ey := cx+radius*math.Cos(end), cy+radius*math.Sin(end)
		if math.Hypot(x-ex, y-ey) <= half*1.55 {
			return true
		}
	}
	return false
}

package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"

	"github.com/go-text/typesetting/font"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// subsetFont cuts the first face of the WenQuanYi Micro Hei collection
// down to the characters Parley needs: Latin text, punctuation, GB2312
// (its 6,763 common simplified hanzi and its symbols, which cover
// everyday Chinese chat) and every character of the Chinese translation.
// Glyph ids are kept as they are, so the layout tables stay valid; the
// outlines of the glyphs left out are emptied and their characters
// unmapped, so Fyne falls back to a system font for them rather than draw
// a blank. About 1.5 MB instead of 5 MB.
func subsetFont(path, translation string) ([]byte, error) {
	ttc, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (install fonts-wqy-microhei)", err)
	}
	runes, err := wanted(translation)
	if err != nil {
		return nil, err
	}
	// Fyne's own font library reads the character map, so the subset
	// maps what Fyne would have found in the whole font.
	faces, err := font.ParseTTC(bytes.NewReader(ttc))
	if err != nil {
		return nil, err
	}
	cmap := map[rune]uint16{}
	for _, r := range runes {
		if g, ok := faces[0].NominalGlyph(r); ok && g != 0 {
			cmap[r] = uint16(g)
		}
	}
	tables, err := readTables(ttc, 0)
	if err != nil {
		return nil, err
	}
	return subset(tables, cmap)
}

// wanted lists the characters to keep, in order.
func wanted(translation string) ([]rune, error) {
	set := map[rune]bool{}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			set[r] = true
		}
	}
	add(0x20, 0x7e)     // ASCII
	add(0xa0, 0x17f)    // Latin-1 and Latin Extended-A
	add(0x2010, 0x205e) // general punctuation: dashes, quotes, ellipsis
	add(0x3000, 0x303f) // CJK symbols and punctuation
	add(0xff01, 0xff5e) // full-width forms
	dec := simplifiedchinese.GBK.NewDecoder()
	for hi := 0xa1; hi <= 0xf7; hi++ {
		for lo := 0xa1; lo <= 0xfe; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err == nil && len(s) > 0 {
				for _, r := range string(s) {
					if r != 0xfffd {
						set[r] = true
					}
				}
			}
		}
	}
	data, err := os.ReadFile(translation)
	if err != nil {
		return nil, err
	}
	var tr map[string]string
	if err := json.Unmarshal(data, &tr); err != nil {
		return nil, fmt.Errorf("%s: %w", translation, err)
	}
	for _, v := range tr {
		for _, r := range v {
			set[r] = true
		}
	}
	runes := make([]rune, 0, len(set))
	for r := range set {
		if r <= 0xffff { // a format 4 cmap holds the BMP
			runes = append(runes, r)
		}
	}
	slices.Sort(runes)
	return runes, nil
}

// readTables reads the table directory of face i of a collection.
func readTables(ttc []byte, i int) (map[string][]byte, error) {
	if len(ttc) < 16 || string(ttc[:4]) != "ttcf" {
		return nil, errors.New("not a font collection")
	}
	off := int(binary.BigEndian.Uint32(ttc[12+4*i:]))
	n := int(binary.BigEndian.Uint16(ttc[off+4:]))
	tables := map[string][]byte{}
	for k := range n {
		rec := ttc[off+12+16*k:]
		tag := string(rec[:4])
		start, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if int(start)+int(length) > len(ttc) {
			return nil, fmt.Errorf("table %s runs past the end", tag)
		}
		tables[tag] = ttc[start : start+length]
	}
	return tables, nil
}

// subset keeps the glyphs of cmap (and .notdef, and the parts of composite
// glyphs) and writes the font.
func subset(tables map[string][]byte, cmap map[rune]uint16) ([]byte, error) {
	head, loca, glyf := tables["head"], tables["loca"], tables["glyf"]
	if head == nil || loca == nil || glyf == nil || tables["maxp"] == nil {
		return nil, errors.New("not a TrueType-outline font")
	}
	numGlyphs := int(binary.BigEndian.Uint16(tables["maxp"][4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	glyph := func(g int) []byte {
		if long {
			return glyf[binary.BigEndian.Uint32(loca[4*g:]):binary.BigEndian.Uint32(loca[4*g+4:])]
		}
		return glyf[2*int(binary.BigEndian.Uint16(loca[2*g:])) : 2*int(binary.BigEndian.Uint16(loca[2*g+2:]))]
	}
	keep := map[int]bool{}
	var visit func(g int)
	visit = func(g int) {
		if keep[g] || g >= numGlyphs {
			return
		}
		keep[g] = true
		for _, c := range components(glyph(g)) {
			visit(c)
		}
	}
	visit(0)
	for _, g := range cmap {
		visit(int(g))
	}

	var newGlyf bytes.Buffer
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := range numGlyphs {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(newGlyf.Len()))
		if keep[g] {
			newGlyf.Write(glyph(g))
			for newGlyf.Len()%4 != 0 {
				newGlyf.WriteByte(0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*numGlyphs:], uint32(newGlyf.Len()))

	out := map[string][]byte{}
	for tag, t := range tables {
		switch tag {
		case "FFTM", "vhea", "vmtx": // a tool's timestamp; vertical layout, which Fyne does not do
		default:
			out[tag] = t
		}
	}
	newHead := slices.Clone(head)
	binary.BigEndian.PutUint16(newHead[50:], 1) // long loca
	out["head"] = newHead
	out["loca"], out["glyf"] = newLoca, newGlyf.Bytes()
	out["cmap"] = cmapFormat4(cmap)
	post := slices.Clone(tables["post"][:32])
	binary.BigEndian.PutUint32(post, 0x00030000) // no glyph names: they are a third of the file
	out["post"] = post
	return writeFont(out), nil
}

// components lists the glyphs a composite glyph is made of.
func components(g []byte) []int {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil
	}
	const (
		argsAreWords   = 0x0001
		haveScale      = 0x0008
		moreComponents = 0x0020
		haveXYScale    = 0x0040
		haveTwoByTwo   = 0x0080
	)
	var ids []int
	for p := g[10:]; len(p) >= 4; {
		flags := binary.BigEndian.Uint16(p)
		ids = append(ids, int(binary.BigEndian.Uint16(p[2:])))
		n := 4 + 2
		if flags&argsAreWords != 0 {
			n = 4 + 4
		}
		switch {
		case flags&haveScale != 0:
			n += 2
		case flags&haveXYScale != 0:
			n += 4
		case flags&haveTwoByTwo != 0:
			n += 8
		}
		if flags&moreComponents == 0 || n > len(p) {
			break
		}
		p = p[n:]
	}
	return ids
}

// cmapFormat4 writes a cmap table with one Windows Unicode BMP subtable:
// a segment per run of consecutive characters, glyph ids in the array.
func cmapFormat4(cmap map[rune]uint16) []byte {
	runes := make([]rune, 0, len(cmap))
	for r := range cmap {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	type segment struct{ start, end rune }
	var segs []segment
	for _, r := range runes {
		if n := len(segs); n > 0 && segs[n-1].end == r-1 {
			segs[n-1].end = r
		} else {
			segs = append(segs, segment{r, r})
		}
	}
	segs = append(segs, segment{0xffff, 0xffff}) // the required last segment
	n := len(segs)
	u16 := func(b *bytes.Buffer, v int) { binary.Write(b, binary.BigEndian, uint16(v)) }
	var sub bytes.Buffer
	searchRange := 2
	entrySelector := 0
	for searchRange*2 <= 2*n {
		searchRange *= 2
		entrySelector++
	}
	length := 16 + 8*n + 2*len(runes)
	for _, v := range []int{4, length, 0, 2 * n, searchRange, entrySelector, 2*n - searchRange} {
		u16(&sub, v)
	}
	for _, s := range segs {
		u16(&sub, int(s.end))
	}
	u16(&sub, 0) // reserved
	for _, s := range segs {
		u16(&sub, int(s.start))
	}
	for i := range segs {
		u16(&sub, map[bool]int{true: 1, false: 0}[i == n-1]) // idDelta: 0xffff maps to glyph 0
	}
	at := 0 // index into the glyph id array
	for i, s := range segs {
		if i == n-1 {
			u16(&sub, 0)
			continue
		}
		u16(&sub, 2*(n-i)+2*at)
		at += int(s.end-s.start) + 1
	}
	for _, r := range runes {
		u16(&sub, int(cmap[r]))
	}
	var t bytes.Buffer
	for _, v := range []int{0, 1, 3, 1} { // version, one subtable: Windows, Unicode BMP
		u16(&t, v)
	}
	binary.Write(&t, binary.BigEndian, uint32(12))
	t.Write(sub.Bytes())
	return t.Bytes()
}

// writeFont lays tables out as an sfnt file: a sorted directory, tables
// on 4-byte boundaries, checksums, and head's whole-file adjustment.
func writeFont(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 16
	var b bytes.Buffer
	for _, v := range []any{uint32(0x00010000), uint16(n), uint16(searchRange), uint16(entrySelector), uint16(n*16 - searchRange)} {
		binary.Write(&b, binary.BigEndian, v)
	}
	offset := 12 + 16*n
	headAt := 0
	for _, tag := range tags {
		t := tables[tag]
		if tag == "head" {
			t = slices.Clone(t)
			binary.BigEndian.PutUint32(t[8:], 0) // checkSumAdjustment, set below
			tables[tag] = t
			headAt = offset
		}
		b.WriteString(tag)
		for _, v := range []uint32{checksum(t), uint32(offset), uint32(len(t))} {
			binary.Write(&b, binary.BigEndian, v)
		}
		offset += (len(t) + 3) &^ 3
	}
	for _, tag := range tags {
		b.Write(tables[tag])
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	font := b.Bytes()
	binary.BigEndian.PutUint32(font[headAt+8:], 0xb1b0afba-checksum(font))
	return font
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

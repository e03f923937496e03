package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// Strict decoding. encoding/json matches an object key to a struct field
// ignoring case, keeps the last of a key given twice, and turns invalid
// UTF-8 and unpaired UTF-16 surrogate escapes into U+FFFD, so that
// different bytes decode to the same string: two different invalid
// passwords would log in as each other. (encoding/json/v2 refuses all
// this, but Go 1.26 builds it only with GOEXPERIMENT=jsonv2.)
// strictUnmarshal lets encoding/json decode, then walks what it accepted
// and refuses those three, and keys that name no field.
func strictUnmarshal(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	w := walker{data: data, keys: make([][]byte, 0, keysInList)}
	w.space()
	return w.value(shapeOf(reflect.TypeOf(v)), nil)
}

// shape is what strict decoding needs to know of a Go type: the JSON names
// of a struct's fields, and the shapes below.
type shape struct {
	isStruct bool
	names    []string // a struct's fields, as named in JSON
	fields   []*shape // the shape of each of names
	elem     *shape   // a map's values, a slice's elements; anything else for the rest
}

// anything is the shape of what encoding/json does not decode into a
// struct: any key is allowed (once), and every string is checked.
var anything = func() *shape {
	s := &shape{}
	s.elem = s
	return s
}()

var (
	shapes   sync.Map // reflect.Type → *shape
	shapesMu sync.Mutex
)

func shapeOf(t reflect.Type) *shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	shapesMu.Lock()
	defer shapesMu.Unlock()
	s := buildShape(t, map[reflect.Type]*shape{})
	shapes.Store(t, s)
	return s
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// buildShape follows the rules of encoding/json for names; building holds
// the shapes under construction, so that a type that contains itself ends.
func buildShape(t reflect.Type, building map[reflect.Type]*shape) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshaler) { // json.RawMessage, for one
		return anything
	}
	if s := building[t]; s != nil {
		return s
	}
	s := &shape{elem: anything}
	switch t.Kind() {
	case reflect.Struct:
		building[t] = s
		s.isStruct = true
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			if f.Anonymous {
				// encoding/json would promote its fields; no payload needs that.
				panic(fmt.Sprintf("protocol: strict decoding does not flatten the embedded %s of %s", f.Type, t))
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			s.names = append(s.names, name)
			s.fields = append(s.fields, buildShape(f.Type, building))
		}
	case reflect.Map, reflect.Slice, reflect.Array:
		building[t] = s
		s.elem = buildShape(t.Elem(), building)
	default:
		return anything
	}
	return s
}

// walker reads JSON that encoding/json has already accepted; it still
// checks every byte it relies on, so that it cannot be led astray.
type walker struct {
	data []byte
	i    int
	keys [][]byte // the keys of the objects open now, innermost last
}

var errMalformed = errors.New("malformed JSON")

// value walks one value of shape s; in is the key it belongs to, for
// error messages.
func (w *walker) value(s *shape, in []byte) error {
	if w.i >= len(w.data) {
		return errMalformed
	}
	switch w.data[w.i] {
	case '{':
		return w.object(s)
	case '[':
		return w.array(s, in)
	case '"':
		_, _, err := w.str(in)
		return err
	}
	// A number, true, false or null: encoding/json has checked it.
	for ; w.i < len(w.data); w.i++ {
		switch w.data[w.i] {
		case ',', ']', '}', ' ', '\t', '\r', '\n':
			return nil
		}
	}
	return nil
}

// Past this many keys, an object's keys are looked up in a map.
const keysInList = 16

func (w *walker) object(s *shape) error {
	w.i++
	w.space()
	if w.at('}') {
		return nil
	}
	base := len(w.keys)
	defer func() { w.keys = w.keys[:base] }()
	var many map[string]bool
	for {
		raw, escaped, err := w.str(nil)
		if err != nil {
			return err
		}
		key := raw
		if escaped {
			key = unescape(raw)
		}
		if err := w.once(key, base, &many); err != nil {
			return err
		}
		next := s.elem
		if s.isStruct {
			if next = s.field(key); next == nil {
				return s.unknown(key)
			}
		}
		w.space()
		if !w.at(':') {
			return errMalformed
		}
		w.space()
		if err := w.value(next, key); err != nil {
			return err
		}
		w.space()
		if w.at('}') {
			return nil
		}
		if !w.at(',') {
			return errMalformed
		}
		w.space()
	}
}

// once refuses a key already seen in the object whose keys start at
// w.keys[base].
func (w *walker) once(key []byte, base int, many *map[string]bool) error {
	seen := w.keys[base:]
	if *many == nil && len(seen) < keysInList {
		for _, k := range seen {
			if bytes.Equal(k, key) {
				return fmt.Errorf("key %q given twice", string(key))
			}
		}
		w.keys = append(w.keys, key)
		return nil
	}
	if *many == nil {
		*many = make(map[string]bool, 2*keysInList)
		for _, k := range seen {
			(*many)[string(k)] = true
		}
	}
	if (*many)[string(key)] {
		return fmt.Errorf("key %q given twice", string(key))
	}
	(*many)[string(key)] = true
	return nil
}

func (s *shape) field(key []byte) *shape {
	for i, name := range s.names {
		if name == string(key) {
			return s.fields[i]
		}
	}
	return nil
}

func (s *shape) unknown(key []byte) error {
	for _, name := range s.names {
		if strings.EqualFold(name, string(key)) {
			return fmt.Errorf("unknown field %q (names are case-sensitive: %q)", string(key), name)
		}
	}
	return fmt.Errorf("unknown field %q", string(key))
}

func (w *walker) array(s *shape, in []byte) error {
	w.i++
	w.space()
	if w.at(']') {
		return nil
	}
	for {
		if err := w.value(s.elem, in); err != nil {
			return err
		}
		w.space()
		if w.at(']') {
			return nil
		}
		if !w.at(',') {
			return errMalformed
		}
		w.space()
	}
}

// str reads a string and refuses invalid UTF-8 and unpaired surrogate
// escapes. It returns the string as written, without its quotes.
func (w *walker) str(in []byte) (raw []byte, escaped bool, err error) {
	d := w.data
	if !w.at('"') {
		return nil, false, errMalformed
	}
	start := w.i
	for i := start; i < len(d); {
		switch c := d[i]; {
		case c == '"':
			w.i = i + 1
			return d[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 < len(d) && d[i+1] != 'u' {
				i += 2
				continue
			}
			r := hex4(d, i)
			i += 6
			switch {
			case r < 0:
				return nil, false, errMalformed
			case r >= 0xdc00 && r <= 0xdfff:
				return nil, false, badString(in, "an unpaired UTF-16 surrogate escape")
			case r >= 0xd800 && r <= 0xdbff:
				if low := hex4(d, i); low < 0xdc00 || low > 0xdfff {
					return nil, false, badString(in, "an unpaired UTF-16 surrogate escape")
				}
				i += 6
			}
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, false, badString(in, "bytes that are not UTF-8")
			}
			i += n
		}
	}
	return nil, false, errMalformed
}

func badString(in []byte, what string) error {
	if in == nil {
		return fmt.Errorf("a string holds %s", what)
	}
	return fmt.Errorf("the string in %q holds %s", string(in), what)
}

// hex4 is the code unit of the \uXXXX escape at d[i:], or -1.
func hex4(d []byte, i int) rune {
	if i+6 > len(d) || d[i] != '\\' || d[i+1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range d[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unescape decodes a string that str has checked.
func unescape(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		if raw[i] != '\\' {
			out = append(out, raw[i])
			i++
			continue
		}
		if raw[i+1] == 'u' {
			r := hex4(raw, i)
			i += 6
			if r >= 0xd800 && r <= 0xdbff {
				r = 0x10000 + (r-0xd800)<<10 + (hex4(raw, i) - 0xdc00)
				i += 6
			}
			out = utf8.AppendRune(out, r)
			continue
		}
		c := raw[i+1] // \" \\ \/ stand for themselves
		switch c {
		case 'b':
			c = '\b'
		case 'f':
			c = '\f'
		case 'n':
			c = '\n'
		case 'r':
			c = '\r'
		case 't':
			c = '\t'
		}
		out = append(out, c)
		i += 2
	}
	return out
}

// at consumes c if it comes next.
func (w *walker) at(c byte) bool {
	if w.i < len(w.data) && w.data[w.i] == c {
		w.i++
		return true
	}
	return false
}

func (w *walker) space() {
	for w.i < len(w.data) {
		switch w.data[w.i] {
		case ' ', '\t', '\r', '\n':
			w.i++
		default:
			return
		}
	}
}

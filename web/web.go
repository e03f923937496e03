// Package web is Parley's browser client: plain ES modules, served as they
// are written (no bundler) from files embedded into parley-server.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Files holds the client: index.html at the root, its modules and style
// under app/.
var Files fs.FS = mustSub(static, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant that go:embed has already checked
	}
	return sub
}

// Package web is Parley's browser client: plain ES modules, served as they
// are written (no bundler) from files embedded into parley-server.
package web

import (
	"embed"
	"io/fs"
	"mime"
)

//go:embed static
var static embed.FS

// Files holds the client: index.html at the root, its modules and style
// under app/.
var Files fs.FS = mustSub(static, "static")

// The web app manifest's type, which Go's own table lacks (a system's
// mime.types may or may not have it): phones install the client from it.
func init() {
	_ = mime.AddExtensionType(".webmanifest", "application/manifest+json")
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant that go:embed has already checked
	}
	return sub
}

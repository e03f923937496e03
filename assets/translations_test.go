package assets

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

func load(t *testing.T, language string) map[string]string {
	t.Helper()
	data, err := Translation(language)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", language, err)
	}
	return m
}

var verb = regexp.MustCompile(`%[a-z]`)

// Both languages have the same texts, and a translation keeps the format
// verbs of its English text, in order.
func TestTranslationsMatch(t *testing.T) {
	en, zh := load(t, English), load(t, SimplifiedChinese)
	for k, v := range en {
		if v != k {
			t.Errorf("en: %q translates to %q", k, v)
		}
		z, ok := zh[k]
		if !ok || z == "" {
			t.Errorf("zh-Hans: no translation of %q", k)
			continue
		}
		if !slices.Equal(verb.FindAllString(k, -1), verb.FindAllString(z, -1)) {
			t.Errorf("zh-Hans: %q → %q changes the format verbs", k, z)
		}
	}
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("zh-Hans translates %q, which en lacks", k)
		}
	}
}

// Every label the views and the app translate (a string literal passed to
// views.T or views.Tf) has a Chinese translation, so a new label cannot
// ship in English inside the Chinese UI.
func TestEveryLabelTranslated(t *testing.T) {
	zh := load(t, SimplifiedChinese)
	fset := token.NewFileSet()
	files := 0
	for _, dir := range []string{"../views", "../app"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, p := range paths {
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files++
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 || !isT(call.Fun) {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, _ := strconv.Unquote(lit.Value)
				if _, ok := zh[s]; !ok {
					t.Errorf("%s: %q has no zh-Hans translation", fset.Position(lit.Pos()), s)
				}
				return true
			})
		}
	}
	if files == 0 {
		t.Skip("no views or app sources beside assets")
	}
}

// isT tells a call of T or Tf, inside views or as views.T elsewhere.
func isT(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name == "T" || f.Name == "Tf"
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == "views" && (f.Sel.Name == "T" || f.Sel.Name == "Tf")
	}
	return false
}

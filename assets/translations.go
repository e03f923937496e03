package assets

import (
	"embed"
	"path"
)

// Languages that have translations, by the tag their file is named for.
const (
	English           = "en"
	SimplifiedChinese = "zh-Hans"
)

// Translations holds translations/<language>.json: flat JSON objects from
// the English text to the translated one, the format of Fyne's lang
// package (lang.AddTranslationsFS(assets.Translations, "translations")).
//
//go:embed translations/*.json
var Translations embed.FS

// Translation returns the JSON of one language.
func Translation(language string) ([]byte, error) {
	return Translations.ReadFile(path.Join("translations", language+".json"))
}

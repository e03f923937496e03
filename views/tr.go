package views

import (
	"encoding/json"
	"fmt"
	"sync"
)

// Languages the app offers, by their tag, with the name a person picks.
const (
	English           = "en"
	SimplifiedChinese = "zh-Hans"
)

// LanguageNames are shown in settings, each in its own language.
var LanguageNames = map[string]string{English: "English", SimplifiedChinese: "简体中文"}

// The translations: per language, English text → translated text. English
// is the key, so a missing translation shows English.
var (
	trMu     sync.RWMutex
	trTables = map[string]map[string]string{}
	trLang   = English
)

// AddTranslations loads a flat JSON object {"English": "translation"} for a
// language (the format of Fyne's lang package and go-i18n).
func AddTranslations(language string, data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("translations for %s: %w", language, err)
	}
	trMu.Lock()
	defer trMu.Unlock()
	t := trTables[language]
	if t == nil {
		t = map[string]string{}
		trTables[language] = t
	}
	for k, v := range m {
		t[k] = v
	}
	return nil
}

// SetLanguage chooses the language of the labels built from now on; the app
// rebuilds its screens after calling it.
func SetLanguage(language string) {
	trMu.Lock()
	trLang = language
	trMu.Unlock()
}

// Language is the current language.
func Language() string {
	trMu.RLock()
	defer trMu.RUnlock()
	return trLang
}

// T translates an English text into the current language.
func T(s string) string {
	trMu.RLock()
	defer trMu.RUnlock()
	if v, ok := trTables[trLang][s]; ok && v != "" {
		return v
	}
	return s
}

// Tf translates a format, then formats it.
func Tf(format string, args ...any) string { return fmt.Sprintf(T(format), args...) }

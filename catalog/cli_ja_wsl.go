package catalog

// Japanese for the WSL flags of `sshdoctor vm` and `sshdoctor server`.
func init() {
	RegisterTranslations(map[string]string{
		"read WSL's and netsh's outputs saved in this directory instead of running them (see docs/platforms.md)": "WSL と netsh の出力を実行する代わりに、このディレクトリに保存されたものを読みます (docs/platforms.md を参照)",
		"--captured %v": "--captured %v",
	})
}

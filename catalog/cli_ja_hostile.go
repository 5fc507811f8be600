package catalog

// Japanese for the usage errors about files that are not regular files.
func init() {
	RegisterTranslations(map[string]string{
		"%s %s: %v": "%s %s: %v",
		"%s %s: is a directory, not a regular file":                                   "%s %s: ディレクトリーです。通常のファイルを指定してください",
		"%s %s: is a named pipe, not a regular file (reading it could wait for ever)": "%s %s: 名前付きパイプです。通常のファイルを指定してください (読むといつまでも待つことがあります)",
		"%s %s: is a device, not a regular file":                                      "%s %s: デバイスです。通常のファイルを指定してください",
		"%s %s: is not a regular file":                                                "%s %s: 通常のファイルではありません",
	})
}

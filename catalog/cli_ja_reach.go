package catalog

// Japanese for the check command's jump flag.
func init() {
	RegisterTranslations(map[string]string{
		"jump hosts to connect through, as ssh -J: [user@]host[:port][,...]": "経由する踏み台 (ssh -J と同じ): [user@]host[:port][,...]",
	})
}

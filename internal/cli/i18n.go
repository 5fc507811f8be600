package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sshdoctor/sshdoctor/catalog"
	"github.com/sshdoctor/sshdoctor/internal/lazyre"
)

// preScanLang finds --lang before flags are parsed, so help text can be
// built in the right language.
func preScanLang(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--lang="); ok {
			return v
		}
		if a == "--lang" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// localizeHelp translates every command's help and flag descriptions.
func localizeHelp(root *cobra.Command, lang catalog.Lang) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Short = catalog.Translate(lang, c.Short)
		c.Long = catalog.Translate(lang, c.Long)
		// cobra adds -h lazily with "help for NAME"; add it now to translate it.
		c.InitDefaultHelpFlag()
		if f := c.Flags().Lookup("help"); f != nil {
			f.Usage = catalog.Translate(lang, "help for this command")
		}
		tr := func(f *pflag.Flag) { f.Usage = catalog.Translate(lang, f.Usage) }
		c.LocalFlags().VisitAll(tr)
		c.PersistentFlags().VisitAll(tr)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		c.Short = catalog.Translate(lang, c.Short)
	}
	root.SetUsageTemplate(localizeTemplate(lang, root.UsageTemplate()))
}

// localizeTemplate translates the headings of cobra's usage template.
func localizeTemplate(lang catalog.Lang, tmpl string) string {
	for _, h := range []string{"Usage:", "Aliases:", "Examples:", "Available Commands:", "Additional Commands:",
		"Global Flags:", "Flags:", "Additional help topics:"} {
		tmpl = strings.ReplaceAll(tmpl, h, catalog.Translate(lang, h))
	}
	return strings.ReplaceAll(tmpl, `for more information about a command.`, catalog.Translate(lang, "for more information about a command."))
}

// allHelpTexts lists every help text and flag description, for the test
// that each has a translation.
func allHelpTexts(root *cobra.Command) []string {
	var out []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		out = append(out, c.Short)
		if c.Long != "" {
			out = append(out, c.Long)
		}
		add := func(f *pflag.Flag) {
			if !f.Hidden {
				out = append(out, f.Usage)
			}
		}
		c.LocalNonPersistentFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

var cobraErrors = []struct {
	re *lazyre.Regexp
	ja string
}{
	{lazyre.New(`^unknown flag: (.+)$`), "不明なフラグです: $1"},
	{lazyre.New(`^unknown shorthand flag: '(.)' in (.+)$`), "不明な短縮フラグ '$1' です ($2)"},
	{lazyre.New(`^flag needs an argument: (.+)$`), "フラグに値が必要です: $1"},
	{lazyre.New(`^invalid argument "(.*)" for "(.+)" flag: (.+)$`), "フラグ $2 の値 \"$1\" が不正です: $3"},
	{lazyre.New(`^unknown command "(.+)" for "(.+)"$`), "不明なコマンドです: \"$1\""},
	{lazyre.New(`^accepts (.+), received (\d+)$`), "引数の数が違います ($2 個指定されました)"},
	{lazyre.New(`^bad flag syntax: (.+)$`), "フラグの書き方が不正です: $1"},
}

// translateCobraError renders cobra's and pflag's own messages in lang.
func translateCobraError(lang catalog.Lang, msg string) string {
	if lang != catalog.JA {
		return msg
	}
	for _, c := range cobraErrors {
		if c.re.MatchString(msg) {
			return c.re.ReplaceAllString(msg, c.ja)
		}
	}
	return msg
}

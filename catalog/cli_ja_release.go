package catalog

// Japanese for the version flag and the completion commands.
func init() {
	RegisterTranslations(map[string]string{
		"print the version and exit":                                    "バージョンを表示して終了します",
		"Print a shell completion script (bash, zsh, fish, powershell)": "シェルの補完スクリプトを出力します (bash、zsh、fish、powershell)",
		"Print the script that lets your shell complete sshdoctor's commands and flags,\n" +
			"the Host aliases of your ssh config, the names of VirtualBox VMs and, when\n" +
			"Google credentials are at hand, of Compute Engine instances.\n" +
			"See sshdoctor completion SHELL --help for where to put it.\n": "sshdoctor のコマンドとフラグ、ssh 設定の Host 別名、VirtualBox の VM 名、\n" +
			"Google の認証情報があるときは Compute Engine のインスタンス名を\n" +
			"シェルで補完するためのスクリプトを出力します。\n" +
			"置き場所は sshdoctor completion SHELL --help を参照してください。\n",
		"Print the bash completion script": "bash の補完スクリプトを出力します",
		"Print the bash completion script (it needs the bash-completion package).\n\n" +
			"For this shell only:\n\n\tsource <(sshdoctor completion bash)\n\n" +
			"For every new shell, once:\n\n\tsshdoctor completion bash > /etc/bash_completion.d/sshdoctor\n": "bash の補完スクリプトを出力します (bash-completion パッケージが必要です)。\n\n" +
			"このシェルだけで使うには:\n\n\tsource <(sshdoctor completion bash)\n\n" +
			"新しいシェルすべてで使うには、一度だけ:\n\n\tsshdoctor completion bash > /etc/bash_completion.d/sshdoctor\n",
		"Print the zsh completion script": "zsh の補完スクリプトを出力します",
		"Print the zsh completion script. If completion is not enabled yet, run once:\n\n" +
			"\techo \"autoload -U compinit; compinit\" >> ~/.zshrc\n\n" +
			"For every new shell, once:\n\n\tsshdoctor completion zsh > \"${fpath[1]}/_sshdoctor\"\n": "zsh の補完スクリプトを出力します。補完がまだ有効でなければ、一度だけ:\n\n" +
			"\techo \"autoload -U compinit; compinit\" >> ~/.zshrc\n\n" +
			"新しいシェルすべてで使うには、一度だけ:\n\n\tsshdoctor completion zsh > \"${fpath[1]}/_sshdoctor\"\n",
		"Print the fish completion script": "fish の補完スクリプトを出力します",
		"Print the fish completion script.\n\n" +
			"For every new shell, once:\n\n\tsshdoctor completion fish > ~/.config/fish/completions/sshdoctor.fish\n": "fish の補完スクリプトを出力します。\n\n" +
			"新しいシェルすべてで使うには、一度だけ:\n\n\tsshdoctor completion fish > ~/.config/fish/completions/sshdoctor.fish\n",
		"Print the PowerShell completion script": "PowerShell の補完スクリプトを出力します",
		"Print the PowerShell completion script.\n\n" +
			"For this shell only:\n\n\tsshdoctor completion powershell | Out-String | Invoke-Expression\n\n" +
			"For every new shell, add that line to your PowerShell profile ($PROFILE).\n": "PowerShell の補完スクリプトを出力します。\n\n" +
			"このシェルだけで使うには:\n\n\tsshdoctor completion powershell | Out-String | Invoke-Expression\n\n" +
			"新しいシェルすべてで使うには、この行を PowerShell のプロファイル ($PROFILE) に加えてください。\n",
		"no description beside each completion": "補完候補に説明を付けません",
	})
}

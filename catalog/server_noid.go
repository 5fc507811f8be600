package catalog

// Connections that sshd saw end before any SSH identification.
func init() {
	Register(
		Entry{Code: "server.no_identification", Severity: "warning",
			Title: Text{En: "{count} connections closed before the client identified itself as SSH", Ja: "{count} 件の接続が、クライアントが SSH として名乗る前に閉じられました"},
			Explanation: Text{En: "Something opened sshd's port and closed it (or spoke another protocol) before sending the SSH identification line. That is what port checks, monitors, load balancer health checks and scanners do; it is not a failed login, and sshd itself is answering. If a real client gets this, a firewall, proxy or port forward between it and sshd is cutting the connection.",
				Ja: "何かが sshd のポートを開き、SSH の識別行を送る前に閉じました (または別のプロトコルで話しました)。ポートの確認、監視、ロードバランサーのヘルスチェック、スキャナーがこうします。ログインの失敗ではなく、sshd 自体は応答しています。本物のクライアントでこうなる場合は、クライアントと sshd の間のファイアウォール、プロキシ、ポート転送が接続を切っています。"}},
	)
	RegisterPhrases(map[string]Text{
		"fix.no_identification_sources": {En: "Compare the addresses in the \"Connection closed by\" lines with your monitors, health checks and proxies: if they are yours, these lines are harmless (point the check at an SSH-aware probe to silence them)", Ja: "\"Connection closed by\" の行のアドレスを、監視、ヘルスチェック、プロキシと照らし合わせます。自分のものなら無害です (消したい場合は SSH を理解するプローブにします)"},
	})
}

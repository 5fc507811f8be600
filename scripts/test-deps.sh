#!/usr/bin/env bash
# Installs what the test suite's lab needs on Debian/Ubuntu: the real
# OpenSSH server and client, iproute2 (network namespaces), iptables and
# nftables, dnsmasq, QEMU. Safe to run again; does nothing when all is there.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
have sshd               || need+=(openssh-server)
have ssh                || need+=(openssh-client)
have ssh-agent          || need+=(openssh-client)
have ip                 || need+=(iproute2)
have iptables           || need+=(iptables)
have nft                || need+=(nftables)
have dnsmasq            || need+=(dnsmasq-base)
have qemu-system-x86_64 || need+=(qemu-system-x86)
have useradd            || need+=(passwd)
have getent             || need+=(libc-bin)
[ -x /usr/bin/time ]     || need+=(time) # GNU time: peak memory of a run under a flood
have socat              || need+=(socat)
# ufw: the host firewall in front of a VM forward is proved against the real
# ufw (its rules live in a test namespace, its files are bind-mounted copies).
have ufw                || need+=(ufw)
# gcloud (package google-cloud-cli, from Google's apt repository
# packages.cloud.google.com/apt, "cloud-sdk main"): the IAP relay stand-in is
# proved against Google's own client.
have gcloud             || need+=(google-cloud-cli)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing ${need[*]}; install them as root (apt-get install ${need[*]})." >&2
  echo "test-deps: without them the lab tests skip (and fail under CI=true)." >&2
  exit 0
fi
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null

#!/bin/sh
# compat-isolate.sh COMMAND...: runs one compat target in a private mount namespace where
# /etc, /home, /var/mail, the login records and the crontabs (/var/spool/cron, when cron
# is installed) are throwaway copies, so the users, groups, files and cron jobs
# ansible-core's targets create (setup_test_user, user, group, cron) never reach this
# machine. The package manager's files (/usr, dpkg's and apt's state and caches, debconf's
# answers, the logs) are overlays whose upper layers are thrown away too, so the packages
# the apt, dpkg_selections and debconf targets install or change never reach this machine.
# It also gets a network namespace of its own (loopback only) and a UTS namespace, so
# targets that set firewall rules or the host name (iptables, hostname) change nothing
# here. Used by scripts/compat.mjs when it runs as root and `unshare` is there.
set -e
base=$(mktemp -d /tmp/rackplay-compat-ns.XXXXXX)
trap 'rm -rf "$base"' EXIT
cp -a /etc "$base/etc"
mkdir -p "$base/log"
for f in lastlog faillog; do
  if [ -f "/var/log/$f" ]; then cp -a "/var/log/$f" "$base/log/$f"; else : > "$base/log/$f"; fi
done
if [ -d /var/spool/cron ]; then cp -a /var/spool/cron "$base/cron"; fi
unshare --mount --net --uts --propagation private sh -c '
  set -e
  b=$1; shift
  ip link set lo up 2>/dev/null || true
  mount --bind "$b/etc" /etc
  for d in /usr /var/lib/dpkg /var/lib/apt /var/cache/apt /var/cache/debconf /var/log; do
    [ -d "$d" ] || continue
    o="$b/overlay$(echo "$d" | tr / _)"
    mkdir -p "$o/upper" "$o/work"
    mount -t overlay overlay -o "lowerdir=$d,upperdir=$o/upper,workdir=$o/work" "$d"
  done
  mount -t tmpfs tmpfs /home
  mkdir -p /var/mail && mount -t tmpfs tmpfs /var/mail
  for f in lastlog faillog; do [ -f "/var/log/$f" ] && mount --bind "$b/log/$f" "/var/log/$f"; done
  if [ -d "$b/cron" ]; then mount --bind "$b/cron" /var/spool/cron; fi
  exec "$@"
' compat-ns "$base" "$@"

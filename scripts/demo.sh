#!/usr/bin/env bash
# The demo rollout: a rack of four simulated Scientific Linux 4.4 hosts (the lab's sl44
# flavor: real sshd, simulated rpm/yum, SELinux, LVM, Xen and reboot), then
#   1. playbooks/site.yml converges the rack (Xen built, kernel booted, guests started),
#   2. a second run changes nothing,
#   3. one host drifts (SELinux back to enforcing, a guest's autostart link removed),
#   4. --check --diff shows exactly that drift, and changes nothing,
# and the lab is stopped again, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."

lab=.lab/demo
rackplay() { node bin/rackplay.js "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

node dist/test/lab/cli.js down --dir "$lab" >/dev/null 2>&1 || true
say "Starting a lab rack of 4 sl44 hosts"
node dist/test/lab/cli.js up 4 --flavor sl44 --dir "$lab" | sed '/sudo password/d'
trap 'say "Stopping the lab"; node dist/test/lab/cli.js down --dir "$lab"' EXIT

# The Xen sources come from the controller: here a small simulated tarball (see docs/lab.md).
sh test/lab/sim/make-xen-tarball.sh "$lab" >/dev/null
sha=$(sha256sum "$lab/xen-3.0.4_1-src.tgz" | cut -d' ' -f1)
printf '[xen_hosts]\nnode01\nnode02\nnode03\nnode04\n' > "$lab/rack.ini"
cat > "$lab/demo-vars.yml" <<VARS
xen_source_tarball: $PWD/$lab/xen-3.0.4_1-src.tgz
xen_source_sha256: $sha
xen_vg: vg0
xen_vg_pvs: [/dev/sda3]
xen_default_boot: true
xen_allow_reboot: true
lvm_guests_backup_lv: backup
xen_guests:
  - { name: ccs01, lv: w2k3, memory: 512, phase: installed, display: vnc, autostart: true }
  - { name: ccs02, memory: 512, phase: install, display: vnc, state: shutdown }
VARS
args=(playbooks/site.yml -i "$lab/inventory.yml" -i "$lab/rack.ini" -e "@$lab/demo-vars.yml")

recap_changed() { awk '/PLAY RECAP/{r=1} r && / : ok=/{for(i=1;i<=NF;i++) if ($i ~ /^changed=/) {split($i,a,"="); s+=a[2]}} END{print s+0}' "$1"; }

say "1. Converge the rack"
rackplay "${args[@]}" | tee "$lab/converge.log"

say "2. Run again: nothing may change"
rackplay "${args[@]}" | tee "$lab/rerun.log"
[ "$(recap_changed "$lab/rerun.log")" = 0 ] || { echo "the second run changed something" >&2; exit 1; }

say "3. Drift on node02: SELinux back to enforcing, ccs01's autostart link removed"
ssh -F "$lab/ssh_config" node02 "sed -i 's/^SELINUX=.*/SELINUX=enforcing/' /etc/selinux/config && setenforce 1 && rm -f /etc/xen/auto/ccs01"

say "4. Check for drift: --check --diff (changes nothing)"
set +e
rackplay "${args[@]}" --check --diff | tee "$lab/check.log"
set -e
drift=$(recap_changed "$lab/check.log")
echo
echo "drift found: $drift change(s) pending, on: $(awk '/PLAY RECAP/{r=1} r && / : ok=/ && !/changed=0 /{print $1}' "$lab/check.log" | sort -u | tr '\n' ' ')"
[ "$drift" -gt 0 ] || { echo "the check missed the drift" >&2; exit 1; }

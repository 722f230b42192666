# SIMULATION for the rackplay lab: helpers shared by the stand-in tools of an SL4.4 host.
# Sourced (not run). Per-host state lives under /var/lib/rackplay-sim inside the host.
SIM=/var/lib/rackplay-sim
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
# The host's hardware and booted kernel: written by the lab (hardware.conf) and by init (kernel).
. $SIM/hardware.conf
sim_kernel() { cat $SIM/boot/kernel 2>/dev/null || echo 2.6.9-42.ELsmp; }
sim_is_xen() { case "`sim_kernel`" in *xen*) return 0 ;; esac; return 1; }
# A pid is alive when its process exists and is not a zombie (PID 1 here does not reap).
sim_pid_alive() {
  [ -n "$1" ] && [ -r /proc/$1/stat ] || return 1
  case "`sed 's/^.*) //' /proc/$1/stat 2>/dev/null`" in Z*|X*|'') return 1 ;; esac
  return 0
}

# CPU caps for the benchmark's silo processes, sourced by run.sh (--cpu-per-silo). Each silo gets a cgroup of its own
# with a hard CFS bandwidth limit: cgroup v2 `cpu.max` when the unified hierarchy has the cpu controller, else the
# cgroup v1 cpu controller's `cpu.cfs_quota_us` / `cpu.cfs_period_us` (the same kernel mechanism: a quota of CPU time
# per 100 ms period, the process is throttled once it is spent). PostgreSQL, nginx and the driver are not in them.

CAP_PERIOD_US=100000
# Weight of each silo's cgroup against the machine's other work (1024 = one ordinary session's autogroup). On a host
# shared with other sessions a silo at the default weight gets less than its quota, so the quota would not be what
# limits it; a higher weight lets it take its quota, never more (throttled periods in the table show the quota binding).
CAP_WEIGHT=${CLUSTER_BENCH_CPU_WEIGHT:-4096}

# Which hierarchy holds the cpu controller: prints "v2 <root>" or "v1 <root>", fails when neither can be used.
cap_hierarchy() {
  if grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    # Child cgroups get the cpu controller only if the root hands it down.
    grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
    echo "v2 /sys/fs/cgroup"
  elif [ -w /sys/fs/cgroup/cpu ] && [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    echo "v1 /sys/fs/cgroup/cpu"
  else
    echo "no writable cgroup with the cpu controller (cgroup v2 cpu.max or v1 cpu.cfs_quota_us)" >&2
    return 1
  fi
}

# cap_create NAME CPUS: creates (or resets) cgroup NAME capped at CPUS CPUs (e.g. 0.5); prints its directory.
cap_create() {
  local name=$1 cpus=$2 kind root dir quota
  read -r kind root <<<"$(cap_hierarchy)" || return 1
  quota=$(awk -v c="$cpus" -v p="$CAP_PERIOD_US" 'BEGIN { printf "%d", c * p }')
  [ "$quota" -ge 1000 ] || { echo "--cpu-per-silo $cpus is below 0.01 CPU" >&2; return 1; }
  dir=$root/$name
  mkdir -p "$dir"
  if [ "$kind" = v2 ]; then
    echo "$quota $CAP_PERIOD_US" > "$dir/cpu.max"
    echo $((CAP_WEIGHT * 100 / 1024)) > "$dir/cpu.weight"
  else
    echo "$CAP_PERIOD_US" > "$dir/cpu.cfs_period_us"
    echo "$quota" > "$dir/cpu.cfs_quota_us"
    echo "$CAP_WEIGHT" > "$dir/cpu.shares"
  fi
  echo "$dir"
}

# cap_stat DIR: "periods throttled_periods throttled_seconds" so far (cpu.stat; v1 counts nanoseconds, v2 microseconds).
cap_stat() {
  awk '/^nr_periods/ { p = $2 } /^nr_throttled/ { t = $2 } /^throttled_time/ { s = $2 / 1e9 } /^throttled_usec/ { s = $2 / 1e6 }
       END { printf "%d %d %.1f\n", p, t, s }' "$1/cpu.stat"
}

# cap_remove DIR: removes the cgroup once its processes are gone.
cap_remove() {
  [ -d "$1" ] && rmdir "$1" 2>/dev/null || true
}

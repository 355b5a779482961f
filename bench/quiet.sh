# bench/quiet.sh - sourced by bench/unet_cpu.sh and bench/train_cpu.sh.
#
# Part of the diffc project, under the Apache License v2.0.
#
# CPU benchmarks on a shared 2-core machine mean nothing while other
# processes run, and OpenMP peers suffer most (one descheduled thread stalls
# the other at every barrier). These helpers wait for a quiet machine and
# account for the CPU time other processes take while the benchmark runs,
# so that its last line can say how quiet the measurement was.
#
#   wait_for_quiet SECONDS   wait up to SECONDS for other processes to use
#                            at most 10% of the CPUs (0: do not wait)
#   start_accounting         sets load_before, measure_start and counters
#   stop_accounting          sets elapsed, others_pct and steal_pct
# The caller defines say() for progress lines.

# Busy CPU jiffies of the whole machine (user, nice, system, irq, softirq).
busy_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# Jiffies the hypervisor gave to other guests while this one wanted the CPU.
steal_jiffies() { awk '/^cpu /{print $9}' /proc/stat; }
# CPU jiffies of this shell's finished children (cutime + cstime).
child_jiffies() { awk '{print $16 + $17}' "/proc/$$/stat"; }
quiet_hz=$(getconf CLK_TCK)
quiet_ncpu=$(nproc)

wait_for_quiet() {
  local limit="$1" waited=0 b0 use
  while [ "$limit" -gt 0 ]; do
    b0=$(busy_jiffies)
    sleep 5
    use=$(( ($(busy_jiffies) - b0) * 100 / (5 * quiet_hz * quiet_ncpu) ))
    [ "$use" -le 10 ] && return 0
    if [ "$waited" -ge "$limit" ]; then
      say "the machine is still ${use}% busy after ${waited} s: measuring anyway (see the last line)"
      return 0
    fi
    say "other processes use ${use}% of the CPUs; waiting for a quiet machine (${waited}/${limit} s, BENCH_WAIT_IDLE)"
    waited=$((waited + 5))
  done
}

start_accounting() {
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  measure_start=$(date +%s)
  quiet_busy_start=$(busy_jiffies)
  quiet_steal_start=$(steal_jiffies)
  quiet_child_start=$(child_jiffies)
}

stop_accounting() {
  elapsed=$(( $(date +%s) - measure_start ))
  local span=$(( quiet_hz * quiet_ncpu * (elapsed > 0 ? elapsed : 1) ))
  local others=$(( ($(busy_jiffies) - quiet_busy_start) - ($(child_jiffies) - quiet_child_start) ))
  [ "$others" -lt 0 ] && others=0
  others_pct=$(( others * 100 / span ))
  steal_pct=$(( ($(steal_jiffies) - quiet_steal_start) * 100 / span ))
}

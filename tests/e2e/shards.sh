# Xapian index shards for an end-to-end suite: writable xapian-tcpsrv
# processes on loopback. Source after lib.sh; `start_shard DIR [PORT]` serves
# DIR (made if missing) on PORT (a free one by default: give the old one to
# bring a stopped shard back) and sets SHARD_PORT and SHARD_PID; `stop_shards`
# ends them all (call it from the suite's EXIT trap); `start_two_shards`
# serves WORK/shard0 and WORK/shard1 and sets P0, P1, SHARD1_PID and SHARDS
# (the `--index` value naming both).
SHARD_PIDS=()

stop_shards() {
  for pid in "${SHARD_PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

# Each in its own process group, so that killing it also ends the processes
# serving open connections.
start_shard() {
  local dir=$1 port=${2:-}
  mkdir -p "$dir"
  [[ -n $port ]] || port=$(free_port)
  setsid xapian-tcpsrv --quiet --writable --interface 127.0.0.1 --port "$port" "$dir" &
  SHARD_PID=$!
  SHARD_PIDS+=($SHARD_PID)
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  SHARD_PORT=$port
}

start_two_shards() {
  start_shard "$WORK/shard0"; P0=$SHARD_PORT
  start_shard "$WORK/shard1"; P1=$SHARD_PORT; SHARD1_PID=$SHARD_PID
  SHARDS="xapian-tcp://127.0.0.1:$P0,127.0.0.1:$P1"
}

# Starts writable xapian-tcpsrv shards on loopback for an end-to-end suite;
# source after lib.sh. `start_shard DIR` serves DIR on a free port (set in
# SHARD_PORT), in its own process group so that killing it also ends the
# processes serving open connections; `stop_shards` ends them all (call it
# from the suite's EXIT trap).
SHARD_PIDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

stop_shards() {
  for pid in "${SHARD_PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

start_shard() {
  local dir=$1 port
  mkdir -p "$dir"
  port=$(free_port)
  setsid xapian-tcpsrv --quiet --writable --interface 127.0.0.1 --port "$port" "$dir" &
  SHARD_PIDS+=($!)
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  SHARD_PORT=$port
}

#!/usr/bin/env bash
# Scripted redis-cli smoke test of a running RESP endpoint: each line is a command and the exact redis-cli output.
# Usage: tests/bench/redis-cli-smoke.sh [port]   (exit code 0 = all passed)
set -uo pipefail
PORT=${1:-6379}
fail=0
check() {
  local expected=$1; shift
  local actual
  actual=$(redis-cli -p "$PORT" "$@" 2>&1)
  if [[ "$actual" != "$expected" ]]; then
    echo "FAIL: redis-cli $* => '$actual' (expected '$expected')"; fail=1
  else
    echo "ok:   redis-cli $*"
  fi
}
key="smoke:$$"
check PONG ping
check hello echo hello
check OK set "$key" v
check v get "$key"
check 1 exists "$key"
check 1 del "$key"
check 5 incrby "$key:n" 5
check OK mset "{a}$key" 1 "{b}$key" 2
check $'1\n2' mget "{a}$key" "{b}$key"
check 3 del "$key:n" "{a}$key" "{b}$key"
check OK select 0
check "ERR DB index is out of range" select 1
check "ERR unknown command 'nosuch', with args beginning with: 'x' " nosuch x
check "ERR wrong number of arguments for 'get' command" get
check 12182 cluster keyslot foo
[[ $(printf 'client setname smoke\nclient getname\n' | redis-cli -p "$PORT" | tail -1) == smoke ]] && echo "ok:   redis-cli client setname/getname" || { echo "FAIL: client setname/getname"; fail=1; }
check $'maxclients\n10000' config get maxclients
[[ $(redis-cli -p "$PORT" command count) =~ ^[0-9]+$ ]] && echo "ok:   redis-cli command count" || { echo "FAIL: command count"; fail=1; }
[[ $(redis-cli -p "$PORT" info server) == *redis_version:* ]] && echo "ok:   redis-cli info server" || { echo "FAIL: info"; fail=1; }
[[ $(redis-cli -p "$PORT" time | wc -l) == 2 ]] && echo "ok:   redis-cli time" || { echo "FAIL: time"; fail=1; }
# Interactive mode (what a person typing sees): commands on stdin, RESP3 via HELLO.
[[ $(printf 'hello 3\nset %s x\nget %s\n' "$key" "$key" | redis-cli -p "$PORT" | tail -1) == x ]] && echo "ok:   redis-cli interactive" || { echo "FAIL: interactive"; fail=1; }
redis-cli -p "$PORT" del "$key" >/dev/null
exit $fail

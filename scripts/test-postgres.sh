#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests, as the unprivileged `postgres` user (the server refuses root),
# in a temporary folder, on 127.0.0.1 only. Prints the URL to use; `scripts/test-postgres.sh stop DIR` stops it and
# removes it; `pause DIR` stops it at once, as a crash would, and `resume DIR` starts it again (an outage, for tests).
# Needs Debian's postgresql package (`.ci/run` installs it).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ "${1:-}" = "stop" ]; then
  runuser -u postgres -- "$bin/pg_ctl" -D "$2/data" -m fast stop >/dev/null
  rm -rf "$2"
  exit 0
fi
if [ "${1:-}" = "pause" ]; then
  runuser -u postgres -- "$bin/pg_ctl" -D "$2/data" -m immediate stop >/dev/null
  exit 0
fi
if [ "${1:-}" = "resume" ]; then
  runuser -u postgres -- "$bin/pg_ctl" -D "$2/data" -l "$2/log" -w -o "$(cat "$2/options")" start >/dev/null
  exit 0
fi

dir=$(mktemp -d /tmp/leadbot-pg-XXXXXX)
chown postgres "$dir"
# Any free port on the loopback (several clusters may run at once on a developer's machine).
port=${PGPORT_FOR_TESTS:-$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })')}
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
echo "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on" >"$dir/options"
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "$(cat "$dir/options")" start >/dev/null
runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres leadbot_test
echo "dir=$dir"
echo "url=postgres://postgres@127.0.0.1:$port/leadbot_test"
